import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { azureResources, type AzureResourcesDefinition } from "../../shared/config/azure-resources";
import { loadBicepFiles } from "./bicep-syntax";
import { checkInfra, type Finding } from "./check-infra";
import { infraFacts } from "./infra-facts";
import { outputsTheReadmeReads } from "./outputs";

const repositoryRoot = resolve(__dirname, "../..");
const copies: string[] = [];

afterEach(() => {
  for (const copy of copies.splice(0)) rmSync(copy, { recursive: true, force: true });
});

interface Breakage {
  /** Replacements in files under infra/, by path relative to it. */
  infra?: Record<string, (text: string) => string>;
  /** Files of the copied app (functions/…, shared/…, host.json), replacing or adding. */
  app?: Record<string, string>;
  config?: AzureResourcesDefinition;
}

/** A copy of infra/, host.json, azure.yaml and README.md in a temp folder, broken as told, and what the check says of it. */
function checkBrokenCopy({ infra = {}, app = {}, config }: Breakage): Pick<Finding, "rule" | "subject">[] {
  const root = mkdtempSync(join(tmpdir(), "infra-check-"));
  copies.push(root);
  const infraSource = join(repositoryRoot, "infra");
  const checkFolder = join(infraSource, "check");
  cpSync(infraSource, join(root, "infra"), { recursive: true, filter: (path) => path !== checkFolder && !path.startsWith(checkFolder + sep) });
  cpSync(join(repositoryRoot, "host.json"), join(root, "host.json"));
  cpSync(join(repositoryRoot, "azure.yaml"), join(root, "azure.yaml"));
  cpSync(join(repositoryRoot, "README.md"), join(root, "README.md"));
  for (const [file, edit] of Object.entries(infra)) {
    const path = join(root, "infra", file);
    const before = readFileSync(path, "utf8");
    const after = edit(before);
    if (after === before) throw new Error(`the breakage of ${file} changed nothing`);
    writeFileSync(path, after);
  }
  for (const [file, text] of Object.entries(app)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return checkInfra({ infraDir: join(root, "infra"), appRoot: root, config }).map(({ rule, subject }) => ({ rule, subject }));
}

function replaceOnce(search: string, replacement: string): (text: string) => string {
  return (text) => {
    if (!text.includes(search)) throw new Error(`not found: ${search}`);
    return text.replace(search, replacement);
  };
}

/** Removes `resource <symbol> …` up to its closing brace at the start of a line. */
function withoutResource(symbol: string): (text: string) => string {
  return (text) => {
    const start = text.indexOf(`resource ${symbol} `);
    if (start < 0) throw new Error(`no resource ${symbol}`);
    const end = text.indexOf("\n}\n", start) + 3;
    return text.slice(0, start) + text.slice(end);
  };
}

const appendToAppSettings = (lines: string) => replaceOnce("      Organizations: organizations\n", `      Organizations: organizations\n${lines}\n`);

describe("the repository's infra/ and app", () => {
  test("agree", () => {
    expect(checkInfra({ infraDir: join(repositoryRoot, "infra"), appRoot: repositoryRoot })).toEqual([]);
  });

  test("an unchanged copy agrees too, so every finding below comes from its one breakage", () => {
    const root = mkdtempSync(join(tmpdir(), "infra-check-"));
    copies.push(root);
    cpSync(join(repositoryRoot, "infra"), join(root, "infra"), { recursive: true });
    cpSync(join(repositoryRoot, "host.json"), join(root, "host.json"));
    cpSync(join(repositoryRoot, "azure.yaml"), join(root, "azure.yaml"));
  cpSync(join(repositoryRoot, "README.md"), join(root, "README.md"));
    expect(checkInfra({ infraDir: join(root, "infra"), appRoot: root })).toEqual([]);
  });
});

describe("syntax", () => {
  test("a file that does not parse stops the check with its location", () => {
    const findings = checkBrokenCopy({ infra: { "modules/eventhubs.bicep": replaceOnce("partitionCount: partitionCount", "partitionCount: = partitionCount") } });
    expect(findings).toEqual([{ rule: "syntax", subject: "modules/eventhubs.bicep" }]);
  });
});

describe("settings", () => {
  test("a setting the shared names list but the Bicep does not set", () => {
    const findings = checkBrokenCopy({ infra: { "modules/function-app.bicep": replaceOnce("      Organizations: organizations\n", "") } });
    expect(findings).toEqual([{ rule: "setting-missing", subject: "Organizations" }]);
  });

  test("settings the code reads (process.env[...], process.env.X, destructured) that no one deploys", () => {
    const findings = checkBrokenCopy({
      app: {
        "functions/webhook.ts": [
          'const timeout = process.env["WebhookTimeoutInMs"];',
          "const { WebhookRetries: retries, Organizations } = process.env;",
          "export const settings = [process.env.WEBSITE_SITE_NAME, timeout, retries, Organizations];",
        ].join("\n"),
      },
    });
    expect(findings).toEqual([
      { rule: "setting-missing", subject: "WebhookTimeoutInMs" },
      { rule: "setting-missing", subject: "WebhookRetries" },
    ]);
  });

  test("settings read by literal name from an environment record handed in for process.env", () => {
    const findings = checkBrokenCopy({
      app: {
        "shared/settings/brand-new.ts": [
          "type Environment = Readonly<Record<string, string | undefined>>;",
          'export const first = (env: Record<string, string | undefined> = process.env) => env["BrandNewSetting"];',
          "export const second = (settings: Environment) => settings.SecondNewSetting;",
          "export class Third { constructor(private readonly env: Environment) {} read() { return this.env.ThirdNewSetting; } }",
          "export const fourth = (source = process.env) => { const { FourthNewSetting } = source; return FourthNewSetting; };",
          'export const notSettings = (names: Record<string, string>, options: { env?: string }) => [names["NotASetting"], options.env];',
        ].join("\n"),
      },
    });
    expect(findings).toEqual([
      { rule: "setting-missing", subject: "BrandNewSetting" },
      { rule: "setting-missing", subject: "SecondNewSetting" },
      { rule: "setting-missing", subject: "ThirdNewSetting" },
      { rule: "setting-missing", subject: "FourthNewSetting" },
    ]);
  });

  test("a %Setting% binding expression in a registration", () => {
    const findings = checkBrokenCopy({
      app: {
        "functions/listener.ts": [
          'import { app } from "@azure/functions";',
          'app.serviceBusQueue("listener", { connection: "ServiceBusConnection", queueName: "%ListenerQueue%", handler: async () => {} });',
        ].join("\n"),
      },
    });
    expect(findings).toEqual([{ rule: "setting-missing", subject: "ListenerQueue" }]);
  });

  test("an identity-based connection without its client id", () => {
    const findings = checkBrokenCopy({ infra: { "modules/function-app.bicep": replaceOnce("      ServiceBusConnection__clientId: identityClientId\n", "") } });
    expect(findings).toEqual([{ rule: "connection-incomplete", subject: "ServiceBusConnection" }]);
  });

  test("storage without the table endpoint that Durable Functions and the tables need", () => {
    const findings = checkBrokenCopy({
      infra: { "modules/function-app.bicep": replaceOnce("      AzureWebJobsStorage__tableServiceUri: storageAccount.properties.primaryEndpoints.table\n", "") },
    });
    expect(findings).toEqual([{ rule: "connection-incomplete", subject: "AzureWebJobsStorage" }]);
  });

  test("a registration on a connection the Bicep does not configure", () => {
    const findings = checkBrokenCopy({
      app: {
        "functions/orders.ts": [
          'import { app } from "@azure/functions";',
          'app.serviceBusTopic("orders", { connection: "PartnerBus", topicName: "dataverse-topic", subscriptionName: "listener", handler: async () => {} });',
        ].join("\n"),
      },
    });
    expect(findings).toEqual([{ rule: "connection-incomplete", subject: "PartnerBus" }]);
  });

  test("names taken from shared/config/azure-resources.ts resolve to what the Bicep declares", () => {
    const findings = checkBrokenCopy({
      app: {
        "functions/listener.ts": [
          'import { app } from "@azure/functions";',
          'import { azureResources as names } from "../shared/config/azure-resources";',
          "const { serviceBus } = names;",
          "app.serviceBusQueue('events', { connection: names.connections.serviceBus, queueName: names.serviceBus.queues.events.name, handler: async () => {} });",
          "app.serviceBusTopic('topic', { connection: names.connections.serviceBus, topicName: names.serviceBus.topics.events.name, subscriptionName: names.serviceBus.topics.events.subscriptions.listener.name, handler: async () => {} });",
          "export { serviceBus };",
        ].join("\n"),
      },
    });
    expect(findings).toEqual([]);
  });

  test("a setting Flex Consumption rejects", () => {
    const findings = checkBrokenCopy({ infra: { "modules/function-app.bicep": appendToAppSettings("      FUNCTIONS_WORKER_RUNTIME: 'node'") } });
    expect(findings).toEqual([{ rule: "setting-forbidden", subject: "FUNCTIONS_WORKER_RUNTIME" }]);
  });
});

describe("secrets", () => {
  test("a storage key in an app setting", () => {
    const findings = checkBrokenCopy({
      infra: { "modules/function-app.bicep": appendToAppSettings("      ArchiveStorage: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc'") },
    });
    expect(findings).toEqual([
      { rule: "secret-in-settings", subject: "ArchiveStorage" },
      { rule: "key-literal", subject: expect.stringMatching(/^modules\/function-app\.bicep:\d+$/) },
    ]);
  });

  test("a key written into a module parameter in main.bicep", () => {
    const findings = checkBrokenCopy({
      infra: { "main.bicep": replaceOnce("    organizations: join(organizationNames, ',')\n", "    organizations: 'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b'\n") },
    });
    // The literal also takes the place of main.bicep's organizations parameter.
    expect(findings).toEqual([
      { rule: "key-literal", subject: expect.stringMatching(/^main\.bicep:\d+$/) },
      { rule: "parameter-passing", subject: "organizations" },
    ]);
  });

  test("a connection string read with listKeys through a variable", () => {
    const findings = checkBrokenCopy({
      infra: {
        "modules/function-app.bicep": (text) =>
          appendToAppSettings("      PartnerEndpoint: partnerEndpoint")(text) +
          "\nvar partnerEndpoint = listKeys(resourceId('Microsoft.ServiceBus/namespaces/authorizationRules', 'sb', 'RootManageSharedAccessKey'), '2024-01-01').primaryConnectionString\n",
      },
    });
    expect(findings).toEqual([
      { rule: "secret-in-settings", subject: "PartnerEndpoint" },
      { rule: "list-keys", subject: expect.stringMatching(/^modules\/function-app\.bicep:\d+$/) },
    ]);
  });

  test("a connection set as a connection string instead of identity settings", () => {
    const findings = checkBrokenCopy({ infra: { "modules/function-app.bicep": appendToAppSettings("      ServiceBusConnection: serviceBusFullyQualifiedNamespace") } });
    expect(findings).toEqual([{ rule: "secret-in-settings", subject: "ServiceBusConnection" }]);
  });

  test("a Durable Task Scheduler connection that does not authenticate with the identity", () => {
    const findings = checkBrokenCopy({
      infra: { "modules/function-app.bicep": replaceOnce("Authentication=ManagedIdentity;ClientID=${identityClientId}", "Authentication=None") },
    });
    expect(findings).toEqual([{ rule: "secret-in-settings", subject: "DURABLE_TASK_SCHEDULER_CONNECTION_STRING" }]);
  });

  test("shared keys left on at the storage account", () => {
    const findings = checkBrokenCopy({ infra: { "modules/storage.bicep": replaceOnce("allowSharedKeyAccess: false", "allowSharedKeyAccess: true") } });
    expect(findings).toEqual([{ rule: "local-auth-enabled", subject: "Microsoft.Storage/storageAccounts" }]);
  });

  test("SAS authentication left on at the Service Bus namespace", () => {
    const findings = checkBrokenCopy({ infra: { "modules/servicebus.bicep": replaceOnce("    disableLocalAuth: true\n", "") } });
    expect(findings).toEqual([{ rule: "local-auth-enabled", subject: "Microsoft.ServiceBus/namespaces" }]);
  });
});

describe("entities and tables", () => {
  test("a queue the app posts to is not declared", () => {
    const findings = checkBrokenCopy({ infra: { "modules/servicebus.bicep": withoutResource("repliesQueue") } });
    expect(findings).toEqual([{ rule: "entity-missing", subject: "dataverse-replies" }]);
  });

  test("the topic subscription the listener reads is not declared", () => {
    const findings = checkBrokenCopy({ infra: { "modules/servicebus.bicep": withoutResource("listenerSubscription") } });
    expect(findings).toEqual([{ rule: "entity-missing", subject: "dataverse-topic/listener" }]);
  });

  test("duplicate detection off on the queue posts go to", () => {
    const findings = checkBrokenCopy({
      infra: {
        "modules/servicebus.bicep": replaceOnce(
          "requiresDuplicateDetection: true\n    duplicateDetectionHistoryTimeWindow: 'PT10M'\n    requiresSession: false",
          "requiresDuplicateDetection: false\n    duplicateDetectionHistoryTimeWindow: 'PT10M'\n    requiresSession: false",
        ),
      },
    });
    expect(findings).toEqual([{ rule: "entity-mismatch", subject: "dataverse-events.requiresDuplicateDetection" }]);
  });

  test("a lock duration other than the shared definition's", () => {
    const findings = checkBrokenCopy({ infra: { "modules/servicebus.bicep": replaceOnce("lockDuration: 'PT30S'", "lockDuration: 'PT5M'") } });
    expect(findings).toEqual([{ rule: "entity-mismatch", subject: "dataverse-replies.lockDuration" }]);
  });

  test("a queue the code sends to by literal name", () => {
    const findings = checkBrokenCopy({
      app: { "shared/posting/audit.ts": 'export const send = (client: { createSender(name: string): unknown }) => client.createSender("audit-events");\n' },
    });
    expect(findings).toEqual([{ rule: "entity-missing", subject: "audit-events" }]);
  });

  test("method names inherited from Object (toString) are not mistaken for SDK calls", () => {
    const findings = checkBrokenCopy({
      app: { "shared/posting/token.ts": 'export const token = (text: string) => Buffer.from(text).toString("base64url");\n' },
    });
    expect(findings).toEqual([]);
  });

  test("a queue added to the shared names but not to the Bicep", () => {
    const config = {
      ...azureResources,
      serviceBus: {
        ...azureResources.serviceBus,
        queues: { ...azureResources.serviceBus.queues, audit: { ...azureResources.serviceBus.queues.events, name: "audit" } },
      },
    };
    expect(checkBrokenCopy({ config })).toEqual([{ rule: "entity-missing", subject: "audit" }]);
  });

  test("a table the app uses is not created", () => {
    const findings = checkBrokenCopy({ infra: { "modules/storage.bicep": replaceOnce("  'ListenerReceipts'\n", "") } });
    expect(findings).toEqual([{ rule: "table-missing", subject: "ListenerReceipts" }]);
  });

  test("a table the code opens by literal name", () => {
    const findings = checkBrokenCopy({
      app: {
        "shared/store/jobs.ts": [
          'import { TableClient } from "@azure/data-tables";',
          'export const jobs = (url: string) => new TableClient(url, "SystemJobs");',
        ].join("\n"),
      },
    });
    expect(findings).toEqual([{ rule: "table-missing", subject: "SystemJobs" }]);
  });
});

describe("roles", () => {
  test("the Service Bus receiver role is missing", () => {
    const findings = checkBrokenCopy({ infra: { "modules/role-assignments.bicep": withoutResource("serviceBusDataReceiver") } });
    expect(findings).toEqual([{ rule: "role-missing", subject: "Azure Service Bus Data Receiver" }]);
  });

  test("a broader role than the app needs (Contributor)", () => {
    const findings = checkBrokenCopy({
      infra: {
        "modules/role-assignments.bicep": (text) =>
          text +
          [
            "",
            "resource contributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
            "  name: guid(serviceBusNamespace.id, principalId, 'contributor')",
            "  scope: serviceBusNamespace",
            "  properties: {",
            "    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')",
            "    principalId: principalId",
            "    principalType: 'ServicePrincipal'",
            "  }",
            "}",
            "",
          ].join("\n"),
      },
    });
    expect(findings).toEqual([{ rule: "role-unneeded", subject: "b24988ac-6180-42a0-ab88-20f7382dd24c" }]);
  });

  test("a data role scoped to the wrong resource", () => {
    const findings = checkBrokenCopy({
      infra: {
        "modules/role-assignments.bicep": replaceOnce(
          "  name: guid(serviceBusNamespace.id, principalId, roleDefinitionIds.serviceBusDataSender)\n  scope: serviceBusNamespace",
          "  name: guid(serviceBusNamespace.id, principalId, roleDefinitionIds.serviceBusDataSender)\n  scope: storageAccount",
        ),
      },
    });
    expect(findings).toEqual([{ rule: "role-scope", subject: "Azure Service Bus Data Sender" }]);
  });

  test("an Event Hub trigger in the code calls for the receiver role", () => {
    const findings = checkBrokenCopy({
      app: {
        "functions/hub-listener.ts": [
          'import { app } from "@azure/functions";',
          'app.eventHub("hub", { connection: "EventHubConnection", eventHubName: "dataverse-events", cardinality: "one", handler: async () => {} });',
        ].join("\n"),
      },
    });
    expect(findings).toEqual([{ rule: "role-missing", subject: "Azure Event Hubs Data Receiver" }]);
  });

  describe("Durable Functions on the Durable Task Scheduler (host.json storageProvider azureManaged)", () => {
    const schedulerHostJson = (connectionStringName: string) => {
      const hostJson = JSON.parse(readFileSync(join(repositoryRoot, "host.json"), "utf8"));
      hostJson.extensions.durableTask.hubName = "%TASKHUB_NAME%";
      hostJson.extensions.durableTask.storageProvider = { type: "azureManaged", connectionStringName };
      return JSON.stringify(hostJson);
    };
    /** The azd default of the switch turned on, as the README's steps do with host.json. */
    const schedulerByDefault = { "main.parameters.json": replaceOnce("${DURABLE_TASK_SCHEDULER_ENABLED=false}", "${DURABLE_TASK_SCHEDULER_ENABLED=true}") };

    test("is covered by the Bicep's durableTaskSchedulerEnabled switch, on by default", () => {
      expect(checkBrokenCopy({ app: { "host.json": schedulerHostJson("DURABLE_TASK_SCHEDULER_CONNECTION_STRING") }, infra: schedulerByDefault })).toEqual([]);
    });

    test("host.json switched while the deployment's default stays off", () => {
      const findings = checkBrokenCopy({ app: { "host.json": schedulerHostJson("DURABLE_TASK_SCHEDULER_CONNECTION_STRING") } });
      expect(findings).toEqual([{ rule: "durable-backend", subject: "durableTaskSchedulerEnabled" }]);
    });

    test("the deployment's default switched on while host.json keeps Azure Storage (jobs would wait on queues no one reads)", () => {
      expect(checkBrokenCopy({ infra: schedulerByDefault })).toEqual([{ rule: "durable-backend", subject: "durableTaskSchedulerEnabled" }]);
    });

    test("needs the scheduler's data role", () => {
      const findings = checkBrokenCopy({
        app: { "host.json": schedulerHostJson("DURABLE_TASK_SCHEDULER_CONNECTION_STRING") },
        infra: { ...schedulerByDefault, "modules/durable-task-scheduler.bicep": withoutResource("durableTaskDataContributor") },
      });
      expect(findings).toEqual([{ rule: "role-missing", subject: "Durable Task Data Contributor" }]);
    });

    test("needs the connection setting host.json names", () => {
      const findings = checkBrokenCopy({ app: { "host.json": schedulerHostJson("SCHEDULER") }, infra: schedulerByDefault });
      expect(findings).toEqual([{ rule: "setting-missing", subject: "SCHEDULER" }]);
    });
  });

  test("the storage queue role is granted whatever the Durable backend: host.json, not a deployment switch, decides whether queues are used", () => {
    const findings = checkBrokenCopy({
      infra: { "modules/role-assignments.bicep": replaceOnce("resource storageQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {", "resource storageQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {") },
    });
    expect(findings).toEqual([{ rule: "role-missing", subject: "Storage Queue Data Contributor" }]);
  });
});

describe("the Function App", () => {
  test("without App Service Authentication the caller header could be forged", () => {
    const findings = checkBrokenCopy({ infra: { "modules/app-authentication.bicep": replaceOnce("requireAuthentication: true", "requireAuthentication: false") } });
    expect(findings).toEqual([{ rule: "auth-missing", subject: "authsettingsV2" }]);
  });

  test("durable orchestrations without an always-ready durable group", () => {
    const findings = checkBrokenCopy({ infra: { "modules/function-app.bicep": replaceOnce("name: 'durable'", "name: 'http'") } });
    expect(findings).toEqual([{ rule: "flex-config", subject: "alwaysReady" }]);
  });

  test("azd deploys to the site tagged with the service name of azure.yaml", () => {
    const findings = checkBrokenCopy({ infra: { "modules/function-app.bicep": replaceOnce("param serviceName string = 'api'", "param serviceName string = 'web'") } });
    expect(findings).toEqual([{ rule: "azd", subject: "api" }]);
  });

  test("azure.yaml must deploy the app as a function", () => {
    const azureYaml = readFileSync(join(repositoryRoot, "azure.yaml"), "utf8").replace("host: function", "host: containerapp");
    expect(checkBrokenCopy({ app: { "azure.yaml": azureYaml } })).toEqual([{ rule: "azd", subject: "api" }]);
  });

  test("a required parameter main.parameters.json does not give", () => {
    const findings = checkBrokenCopy({
      infra: { "main.parameters.json": (text) => JSON.stringify({ ...JSON.parse(text), parameters: { ...JSON.parse(text).parameters, authClientId: undefined } }) },
    });
    expect(findings).toEqual([{ rule: "parameters", subject: "authClientId" }]);
  });
});

describe("main.bicep's parameters reach the app settings", () => {
  const mainBicep = (search: string, replacement: string) => ({ infra: { "main.bicep": replaceOnce(search, replacement) } });
  const parameterFile = (search: string, replacement: string) => ({ infra: { "main.parameters.json": replaceOnce(search, replacement) } });
  const withoutParameter = (name: string, environmentValue: string) => parameterFile(`    "${name}": {\n      "value": "${environmentValue}"\n    },\n`, "");

  test.each([
    ["organizationDomain", mainBicep("    organizationDomain: organizationDomain\n", "")],
    ["administratorObjectId", mainBicep("    administratorObjectId: administratorObjectId\n", "")],
    ["organizations", mainBicep("    organizations: join(organizationNames, ',')\n", "    organizations: 'contoso'\n")],
  ])("main.bicep does not pass %s to the Function App module, whose parameter defaults", (subject, breakage) => {
    expect(checkBrokenCopy(breakage)).toEqual([{ rule: "parameter-passing", subject }]);
  });

  test.each([
    ["organizationDomain", withoutParameter("organizationDomain", "${ORGANIZATION_DOMAIN=}")],
    ["administratorObjectId", withoutParameter("administratorObjectId", "${AZURE_PRINCIPAL_ID=}")],
    ["organizations", withoutParameter("organizations", "${ORGANIZATIONS=contoso}")],
    ["organizationDomain", parameterFile('"value": "${ORGANIZATION_DOMAIN=}"', '"value": ""')],
  ])("main.parameters.json does not read %s from the azd environment", (subject, breakage) => {
    expect(checkBrokenCopy(breakage)).toEqual([{ rule: "parameters", subject }]);
  });

  test("main.parameters.json reads a setting's parameter from another azd environment value than the README documents", () => {
    const findings = checkBrokenCopy(parameterFile("${ORGANIZATION_DOMAIN=}", "${ORG_DOMAIN=}"));
    expect(findings).toEqual([{ rule: "parameters", subject: "organizationDomain" }]);
  });

  test("an azd environment value the README documents that main.parameters.json does not read", () => {
    const findings = checkBrokenCopy(parameterFile("${SERVICE_BUS_SKU=Standard}", "${SERVICE_BUS_TIER=Standard}"));
    expect(findings).toEqual([{ rule: "parameters", subject: "SERVICE_BUS_SKU" }]);
  });
});

describe("the user-assigned identity is wired through", () => {
  const functionApp = (search: string, replacement: string) => ({ infra: { "modules/function-app.bicep": replaceOnce(search, replacement) } });
  const roleAssignments = (search: string, replacement: string) => ({ infra: { "modules/role-assignments.bicep": replaceOnce(search, replacement) } });

  test.each([
    ["ServiceBusConnection__clientId", functionApp("ServiceBusConnection__clientId: identityClientId", "ServiceBusConnection__clientId: 'x'")],
    ["AZURE_CLIENT_ID", functionApp("AZURE_CLIENT_ID: identityClientId", "AZURE_CLIENT_ID: ''")],
    ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING", functionApp("'ClientId=${identityClientId};Authorization=AAD'", "'Authorization=AAD'")],
    ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING", functionApp("'ClientId=${identityClientId};Authorization=AAD'", "'ClientId=${administratorObjectId};Authorization=AAD'")],
    ["DURABLE_TASK_SCHEDULER_CONNECTION_STRING", functionApp("ClientID=${identityClientId}", "ClientID=${identityId}")],
  ])("%s does not name the identity's client id", (subject, breakage) => {
    expect(checkBrokenCopy(breakage)).toEqual([{ rule: "identity", subject }]);
  });

  test("main.bicep hands the Function App the identity's principal id as its client id: every setting that names it", () => {
    const findings = checkBrokenCopy({ infra: { "main.bicep": replaceOnce("identityClientId: identity.outputs.clientId", "identityClientId: identity.outputs.principalId") } });
    expect(findings.map(({ rule, subject }) => `${rule} ${subject}`).sort()).toEqual(
      [
        "AzureWebJobsStorage__clientId",
        "ServiceBusConnection__clientId",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "AZURE_CLIENT_ID",
        "EventHubConnection__clientId",
        "DURABLE_TASK_SCHEDULER_CONNECTION_STRING",
      ]
        .map((subject) => `identity ${subject}`)
        .sort(),
    );
  });

  test("role assignments granted to the administrator instead of the identity", () => {
    const findings = checkBrokenCopy({
      infra: { "main.bicep": replaceOnce("    principalId: identity.outputs.principalId\n    storageAccountName", "    principalId: administratorObjectId\n    storageAccountName") },
    });
    expect(findings).toEqual(
      [
        "storageBlobDataOwner",
        "storageQueueDataContributor",
        "storageTableDataContributor",
        "serviceBusDataSender",
        "serviceBusDataReceiver",
        "eventHubsDataSender",
        "monitoringMetricsPublisher",
      ].map((subject) => ({ rule: "identity", subject })),
    );
  });

  test("the scheduler's role granted to the identity's client id", () => {
    const findings = checkBrokenCopy({
      infra: { "main.bicep": replaceOnce("    tags: tags\n    principalId: identity.outputs.principalId\n", "    tags: tags\n    principalId: identity.outputs.clientId\n") },
    });
    expect(findings).toEqual([{ rule: "identity", subject: "durableTaskDataContributor" }]);
  });

  test("a role assignment for a user instead of a service principal", () => {
    const findings = checkBrokenCopy(
      roleAssignments("    principalType: 'ServicePrincipal'\n  }\n}\n\n// Granted whatever", "    principalType: 'User'\n  }\n}\n\n// Granted whatever"),
    );
    expect(findings).toEqual([{ rule: "identity", subject: "storageBlobDataOwner" }]);
  });

  test("the site runs as a system-assigned identity", () => {
    expect(checkBrokenCopy(functionApp("    type: 'UserAssigned'", "    type: 'SystemAssigned'"))).toEqual([{ rule: "identity", subject: "functionApp" }]);
  });

  test("the deployment container read with another identity than the site's", () => {
    const findings = checkBrokenCopy(functionApp("userAssignedIdentityResourceId: identityId", "userAssignedIdentityResourceId: storageAccount.id"));
    expect(findings).toEqual([{ rule: "identity", subject: "functionApp.deployment" }]);
  });
});

describe("secure defaults", () => {
  const edit = (file: string, search: string, replacement: string) => ({ infra: { [file]: replaceOnce(search, replacement) } });
  const site = (search: string, replacement: string) => edit("modules/function-app.bicep", search, replacement);
  const storage = (search: string, replacement: string) => edit("modules/storage.bicep", search, replacement);

  test.each([
    ["functionApp.properties.httpsOnly", site("    httpsOnly: true\n", "    httpsOnly: false\n")],
    ["functionApp.properties.httpsOnly", site("    httpsOnly: true\n", "")],
    ["functionApp.properties.siteConfig.minTlsVersion", site("minTlsVersion: '1.2'", "minTlsVersion: '1.0'")],
    ["functionApp.properties.siteConfig.ftpsState", site("ftpsState: 'Disabled'", "ftpsState: 'AllAllowed'")],
    ["ftpPublishing.properties.allow", site("  name: 'ftp'\n  properties: {\n    allow: false", "  name: 'ftp'\n  properties: {\n    allow: true")],
    ["storageAccount.properties.allowBlobPublicAccess", storage("allowBlobPublicAccess: false", "allowBlobPublicAccess: true")],
    ["storageAccount.properties.minimumTlsVersion", storage("minimumTlsVersion: 'TLS1_2'", "minimumTlsVersion: 'TLS1_0'")],
    ["storageAccount.properties.supportsHttpsTrafficOnly", storage("supportsHttpsTrafficOnly: true", "supportsHttpsTrafficOnly: false")],
    ["namespace.properties.minimumTlsVersion", edit("modules/servicebus.bicep", "minimumTlsVersion: '1.2'", "minimumTlsVersion: '1.0'")],
    ["namespace.properties.minimumTlsVersion", edit("modules/eventhubs.bicep", "minimumTlsVersion: '1.2'", "minimumTlsVersion: '1.1'")],
  ])("%s weakened", (subject, breakage) => {
    expect(checkBrokenCopy(breakage)).toEqual([{ rule: "secure-default", subject }]);
  });
});

describe("endpoint settings read their own service's resource", () => {
  test.each([
    ["ServiceBusConnection__fullyQualifiedNamespace", { "modules/function-app.bicep": replaceOnce("ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace", "ServiceBusConnection__fullyQualifiedNamespace: eventHubsFullyQualifiedNamespace") }],
    ["ServiceBusConnection__fullyQualifiedNamespace", { "main.bicep": replaceOnce("serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace", "serviceBusFullyQualifiedNamespace: serviceBus.outputs.name") }],
    ["ServiceBusConnection__fullyQualifiedNamespace", { "modules/function-app.bicep": replaceOnce("ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace", "ServiceBusConnection__fullyQualifiedNamespace: 'sb-other.servicebus.windows.net'") }],
    ["AzureWebJobsStorage__queueServiceUri", { "modules/function-app.bicep": replaceOnce("AzureWebJobsStorage__queueServiceUri: storageAccount.properties.primaryEndpoints.queue", "AzureWebJobsStorage__queueServiceUri: storageAccount.properties.primaryEndpoints.table") }],
  ])("%s points elsewhere", (subject, infra) => {
    expect(checkBrokenCopy({ infra })).toEqual([{ rule: "endpoint", subject }]);
  });
});

describe("outputs the README reads with azd env get-value", () => {
  test("are derived from the README: values it reads and neither sets nor lists as parameters", () => {
    const readme = readFileSync(join(repositoryRoot, "README.md"), "utf8");
    const main = infraFacts(loadBicepFiles(join(repositoryRoot, "infra"))).modules.find((module) => module.file === "main.bicep")!;
    expect(outputsTheReadmeReads(readme, main).sort()).toEqual(["SERVICE_BUS_NAMESPACE", "WEB_API_BASE_URL"]);
  });

  test("an output the README reads is removed", () => {
    const findings = checkBrokenCopy({ infra: { "main.bicep": replaceOnce("output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.name\n", "") } });
    expect(findings).toEqual([{ rule: "outputs", subject: "SERVICE_BUS_NAMESPACE" }]);
  });

  test("an output the README reads is renamed", () => {
    const findings = checkBrokenCopy({ infra: { "main.bicep": replaceOnce("output WEB_API_BASE_URL string", "output WEB_API_URL string") } });
    expect(findings).toEqual([{ rule: "outputs", subject: "WEB_API_BASE_URL" }]);
  });
});

