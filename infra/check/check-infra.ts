import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { azureResources, type AzureResourcesDefinition } from "../../shared/config/azure-resources";
import { appUsage, type AppUsage, type Capability, type UsageSource } from "./app-usage";
import { Opaque, valueAt, type BicepValue } from "./bicep-model";
import { loadBicepFiles, syntaxErrors, where } from "./bicep-syntax";
import { durableBackendFindings } from "./durable-backend";
import { endpointSettings, endpointWiringFindings } from "./endpoint-wiring";
import { identityWiringFindings } from "./identity-wiring";
import { infraFacts, type EntityFact, type InfraFacts } from "./infra-facts";
import { outputFindings } from "./outputs";
import { parameterFindings } from "./parameters";
import { builtInRoles, requiredRoles, roleById } from "./roles";
import { secureDefaultFindings } from "./secure-defaults";
import { ValueTracer } from "./value-origins";

export type FindingRule =
  | "syntax"
  | "setting-missing"
  | "connection-incomplete"
  | "setting-forbidden"
  | "secret-in-settings"
  | "list-keys"
  | "key-literal"
  | "local-auth-enabled"
  | "entity-missing"
  | "entity-mismatch"
  | "table-missing"
  | "role-missing"
  | "role-unneeded"
  | "role-scope"
  | "identity"
  | "auth-missing"
  | "flex-config"
  | "parameters"
  | "parameter-passing"
  | "secure-default"
  | "endpoint"
  | "outputs"
  | "durable-backend"
  | "azd";

/** One disagreement between the Bicep and the app. `subject` names the setting, entity, role or file. */
export interface Finding {
  rule: FindingRule;
  subject: string;
  message: string;
}

export interface CheckInfraOptions {
  /** Folder with main.bicep and modules/. */
  infraDir: string;
  /** Folder with host.json, functions/ and shared/. */
  appRoot: string;
  /** The README whose azd environment table names the values main.parameters.json reads; default `<appRoot>/README.md` when present. */
  readmePath?: string;
  config?: AzureResourcesDefinition;
}

/** Settings Flex Consumption rejects or ignores: the runtime is in functionAppConfig, the package in a container. */
const FLEX_FORBIDDEN_SETTINGS = [
  "FUNCTIONS_WORKER_RUNTIME",
  "FUNCTIONS_EXTENSION_VERSION",
  "WEBSITE_RUN_FROM_PACKAGE",
  "WEBSITE_NODE_DEFAULT_VERSION",
  "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
  "WEBSITE_CONTENTSHARE",
  "AzureWebJobsDashboard",
];

const SECRET_VALUE = /list[A-Z]\w*\(|AccountKey=|SharedAccessKey|SharedAccessSignature|DefaultEndpointsProtocol=|Endpoint=sb:\/\/|primaryKey|secondaryKey|ConnectionString|Password|clientSecret/i;
const SECRET_NAME = /AccountKey|Secret|Password|SasToken|SharedAccess|ConnectionString|ApiKey|_KEY$/i;
/** A component's connection string with local auth off only locates it; ingestion needs the Entra ID token. */
const APP_INSIGHTS_CONNECTION_STRING = "APPLICATIONINSIGHTS_CONNECTION_STRING";

const ENDPOINT_SUFFIXES = ["fullyQualifiedNamespace", "accountName", "blobServiceUri", "queueServiceUri", "tableServiceUri", "serviceUri"];

const usedAt = (sources: UsageSource[]): string => sources.slice(0, 3).join(", ") + (sources.length > 3 ? ", …" : "");

function isoSeconds(value: BicepValue): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!match) return undefined;
  const [days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  return ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
}

class InfraChecker {
  readonly findings: Finding[] = [];
  private readonly settings: Map<string, InfraFacts["appSettings"][number]>;
  private readonly capabilities: Set<Capability>;

  constructor(
    private readonly facts: InfraFacts,
    private readonly usage: AppUsage,
    private readonly config: AzureResourcesDefinition,
  ) {
    this.settings = new Map(facts.appSettings.map((setting) => [setting.name, setting]));
    this.capabilities = new Set(usage.capabilities.keys());
  }

  private report(rule: FindingRule, subject: string, message: string): void {
    this.findings.push({ rule, subject, message });
  }

  run(): Finding[] {
    this.checkSettings();
    this.checkConnections();
    this.checkSecrets();
    this.checkKeyLiterals();
    this.checkLocalAuth();
    this.checkServiceBus();
    this.checkEventHubs();
    this.checkTables();
    this.checkRoles();
    this.checkAuthentication();
    this.checkFlexConfig();
    return this.findings;
  }

  private checkSettings(): void {
    const { platform, localOnly } = this.config.settingsNotDeployed;
    for (const [name, sources] of this.usage.settings) {
      if (this.settings.has(name) || platform.includes(name) || localOnly.includes(name)) continue;
      this.report("setting-missing", name, `setting "${name}" (read at ${usedAt(sources)}) is not set by the app settings in infra/`);
    }
    for (const name of FLEX_FORBIDDEN_SETTINGS) {
      const setting = this.settings.get(name);
      if (setting) this.report("setting-forbidden", name, `${where(setting.location)}: "${name}" must not be set on Flex Consumption`);
    }
  }

  private checkConnections(): void {
    for (const [name, sources] of this.usage.connections) {
      const direct = this.settings.get(name);
      if (direct) {
        this.report("secret-in-settings", name, `${where(direct.location)}: "${name}" is set as a connection string; use ${name}__* identity settings`);
        continue;
      }
      const missing: string[] = [];
      if (!ENDPOINT_SUFFIXES.some((suffix) => this.settings.has(`${name}__${suffix}`))) missing.push(`${name}__fullyQualifiedNamespace or ${name}__<service>Uri`);
      if (name === this.config.connections.storage && !this.settings.has(`${name}__accountName`)) {
        const services = new Set(["blob"]);
        if (this.capabilities.has("storageQueue")) services.add("queue");
        if (this.capabilities.has("storageTable")) services.add("table");
        for (const service of services) if (!this.settings.has(`${name}__${service}ServiceUri`)) missing.push(`${name}__${service}ServiceUri`);
      }
      const credential = this.settings.get(`${name}__credential`);
      if (!credential || !/^'managedidentity'$/i.test(credential.expression)) missing.push(`${name}__credential = 'managedidentity'`);
      if (!this.settings.has(`${name}__clientId`)) missing.push(`${name}__clientId`);
      const unique = [...new Set(missing)];
      if (unique.length > 0) {
        this.report("connection-incomplete", name, `connection "${name}" (used at ${usedAt(sources)}) lacks ${unique.join(", ")}`);
      }
    }
  }

  private checkSecrets(): void {
    const secureParams = new Set(
      this.facts.modules.flatMap((module) => [...module.params].filter(([, param]) => param.decorators.includes("secure")).map(([name]) => name)),
    );
    for (const setting of this.facts.appSettings) {
      if (setting.name === APP_INSIGHTS_CONNECTION_STRING) {
        if (!/^\w+\.properties\.ConnectionString$/.test(setting.expression)) {
          this.report("secret-in-settings", setting.name, `${where(setting.location)}: "${setting.name}" must come from the component's properties.ConnectionString`);
        }
        continue;
      }
      // The Durable Task Scheduler's "connection string" names an endpoint and the identity, never a key.
      if (/CONNECTION_STRING$/.test(setting.name) && !/Authentication=ManagedIdentity;ClientID=/.test(setting.expression)) {
        this.report("secret-in-settings", setting.name, `${where(setting.location)}: "${setting.name}" must authenticate with the managed identity`);
        continue;
      }
      const secretValue = SECRET_VALUE.test(setting.expression);
      const secretParam = setting.expression.split(/\W+/).some((word) => secureParams.has(word));
      if (secretValue || secretParam || SECRET_NAME.test(setting.name)) {
        this.report("secret-in-settings", setting.name, `${where(setting.location)}: "${setting.name}" carries a key or connection string (${setting.expression.slice(0, 60)})`);
      }
    }
    for (const location of this.facts.listCalls) {
      this.report("list-keys", `${location.file}:${location.line}`, `${where(location)}: list*() reads keys into the deployment; use role assignments instead`);
    }
  }

  private checkKeyLiterals(): void {
    for (const location of this.facts.keyLiterals) {
      this.report("key-literal", `${location.file}:${location.line}`, `${where(location)}: a key is written into the Bicep`);
    }
  }

  private checkLocalAuth(): void {
    for (const fact of this.facts.localAuth) {
      if (fact.disabled) continue;
      const wanted = fact.property === "allowSharedKeyAccess" ? "false" : "true";
      this.report("local-auth-enabled", fact.resourceType, `${where(fact.location)}: ${fact.resourceType} '${fact.symbol}' needs ${fact.property}: ${wanted}`);
    }
  }

  private compare(kind: string, declared: EntityFact, expected: Record<string, BicepValue | undefined>): void {
    for (const [property, value] of Object.entries(expected)) {
      if (value === undefined) continue;
      const actual = declared.properties[property];
      const actualComparable = typeof value === "number" && typeof actual === "string" && /^P/.test(actual) ? isoSeconds(actual) : actual;
      const same = actualComparable === value || (value === false && actual === undefined);
      if (!same) {
        const shown = actual instanceof Opaque ? actual.text : JSON.stringify(actual);
        this.report("entity-mismatch", `${declared.name}.${property}`, `${where(declared.location)}: ${kind} "${declared.name}" has ${property} ${shown}, shared/config/azure-resources.ts says ${JSON.stringify(value)}`);
      }
    }
  }

  private checkServiceBus(): void {
    const queues = new Map(this.facts.queues.map((queue) => [queue.name, queue]));
    const topics = new Map(this.facts.topics.map((topic) => [topic.name, topic]));
    const subscriptions = new Map(this.facts.subscriptions.map((subscription) => [`${subscription.parentName}/${subscription.name}`, subscription]));
    for (const queue of Object.values(this.config.serviceBus.queues)) {
      const declared = queues.get(queue.name);
      if (!declared) continue;
      this.compare("queue", declared, {
        requiresDuplicateDetection: queue.requiresDuplicateDetection,
        duplicateDetectionHistoryTimeWindow: queue.requiresDuplicateDetection ? queue.duplicateDetectionWindowInSeconds : undefined,
        requiresSession: queue.requiresSession,
        lockDuration: queue.lockDurationInSeconds,
        maxDeliveryCount: queue.maxDeliveryCount,
        defaultMessageTimeToLive: queue.defaultMessageTimeToLiveInSeconds,
        deadLetteringOnMessageExpiration: queue.deadLetteringOnMessageExpiration,
      });
    }
    for (const topic of Object.values(this.config.serviceBus.topics)) {
      const declared = topics.get(topic.name);
      if (declared) {
        this.compare("topic", declared, {
          requiresDuplicateDetection: topic.requiresDuplicateDetection,
          duplicateDetectionHistoryTimeWindow: topic.requiresDuplicateDetection ? topic.duplicateDetectionWindowInSeconds : undefined,
          defaultMessageTimeToLive: topic.defaultMessageTimeToLiveInSeconds,
        });
      }
      for (const subscription of Object.values(topic.subscriptions)) {
        const declaredSubscription = subscriptions.get(`${topic.name}/${subscription.name}`);
        if (!declaredSubscription) continue;
        this.compare("subscription", declaredSubscription, {
          requiresSession: subscription.requiresSession,
          lockDuration: subscription.lockDurationInSeconds,
          maxDeliveryCount: subscription.maxDeliveryCount,
          defaultMessageTimeToLive: subscription.defaultMessageTimeToLiveInSeconds,
          deadLetteringOnMessageExpiration: subscription.deadLetteringOnMessageExpiration,
        });
      }
    }
    for (const [name, sources] of this.usage.serviceBusEntities) {
      if (!queues.has(name) && !topics.has(name)) {
        this.report("entity-missing", name, `Service Bus queue or topic "${name}" (used at ${usedAt(sources)}) is not declared in infra/`);
      }
    }
    for (const [path, sources] of this.usage.subscriptions) {
      if (!subscriptions.has(path)) {
        this.report("entity-missing", path, `Service Bus subscription "${path}" (used at ${usedAt(sources)}) is not declared in infra/`);
      }
    }
  }

  private checkEventHubs(): void {
    const hubs = new Map(this.facts.eventHubs.map((hub) => [hub.name, hub]));
    for (const [name, sources] of this.usage.eventHubs) {
      if (!hubs.has(name)) this.report("entity-missing", name, `event hub "${name}" (used at ${usedAt(sources)}) is not declared in infra/`);
    }
    for (const hub of Object.values(this.config.eventHubs.hubs)) {
      const declared = hubs.get(hub.name);
      if (declared) this.compare("event hub", declared, { partitionCount: hub.partitionCount });
    }
  }

  private checkTables(): void {
    const tables = new Set(this.facts.tables.map((table) => table.name));
    for (const [name, sources] of this.usage.tables) {
      if (!tables.has(name)) this.report("table-missing", name, `table "${name}" (used at ${usedAt(sources)}) is not created by infra/`);
    }
  }

  private checkRoles(): void {
    const required = new Set(requiredRoles(this.capabilities));
    const assigned = new Set<string>();
    for (const assignment of this.facts.roleAssignments) {
      if (assignment.roleDefinitionIds.length === 0) {
        this.report("role-unneeded", assignment.symbol, `${where(assignment.location)}: cannot tell which role '${assignment.symbol}' assigns; name a built-in role GUID`);
      }
      for (const id of assignment.roleDefinitionIds) {
        const role = roleById(id);
        // A known data role behind a deployment switch (another backend, an optional service) may be off.
        if (role && !required.has(role[0]) && assignment.conditional) continue;
        if (!role || !required.has(role[0])) {
          const name = role ? role[1].displayName : id;
          this.report("role-unneeded", name, `${where(assignment.location)}: role "${name}" is broader than or outside what the app uses`);
          continue;
        }
        assigned.add(role[0]);
        if (role[1].neededFor === "always" && assignment.conditional) {
          this.report("role-missing", role[1].displayName, `${where(assignment.location)}: "${role[1].displayName}" is assigned only under a condition; every deployment needs it`);
        }
        if (assignment.scopeType.toLowerCase() !== role[1].scopeType.toLowerCase()) {
          this.report("role-scope", role[1].displayName, `${where(assignment.location)}: "${role[1].displayName}" is scoped to ${assignment.scopeType}, expected one ${role[1].scopeType}`);
        }
      }
    }
    for (const key of required) {
      if (assigned.has(key)) continue;
      const role = builtInRoles[key];
      const because = role.neededFor === "always" ? "always" : role.neededFor.filter((use) => this.capabilities.has(use)).map((use) => `${use} at ${usedAt(this.usage.capabilities.get(use) ?? [])}`).join("; ");
      this.report("role-missing", role.displayName, `role "${role.displayName}" is not assigned to the app's identity (needed: ${because})`);
    }
  }

  private checkAuthentication(): void {
    const enabled = this.facts.authSettings.some(
      ({ properties }) =>
        valueAt(properties, "platform", "enabled") === true &&
        valueAt(properties, "globalValidation", "requireAuthentication") === true &&
        valueAt(properties, "identityProviders", "azureActiveDirectory", "enabled") === true,
    );
    if (!enabled) {
      this.report("auth-missing", "authsettingsV2", "no authsettingsV2 with Entra ID and requireAuthentication: the Web API's x-ms-client-principal-id could be forged");
    }
  }

  private checkFlexConfig(): void {
    if (this.facts.functionAppConfigs.length === 0) {
      this.report("flex-config", "functionAppConfig", "no Microsoft.Web/sites with a Flex Consumption functionAppConfig");
    }
    for (const { properties, location } of this.facts.functionAppConfigs) {
      if (valueAt(properties, "runtime", "name") !== "node" || valueAt(properties, "runtime", "version") !== "22") {
        this.report("flex-config", "runtime", `${where(location)}: functionAppConfig.runtime must be node 22`);
      }
      if (valueAt(properties, "deployment", "storage", "authentication", "type") !== "UserAssignedIdentity") {
        this.report("flex-config", "deployment", `${where(location)}: the deployment container must be read with the user-assigned identity`);
      }
      const alwaysReady = valueAt(properties, "scaleAndConcurrency", "alwaysReady");
      const text = alwaysReady instanceof Opaque ? alwaysReady.text : JSON.stringify(alwaysReady ?? []);
      if (this.capabilities.has("durableAzureStorage") || this.capabilities.has("durableTaskScheduler")) {
        if (!/['"]durable['"]/.test(text)) this.report("flex-config", "alwaysReady", `${where(location)}: alwaysReady has no 'durable' group`);
      }
    }
  }
}

interface AzureYaml {
  infra?: { provider?: string; path?: string; module?: string };
  services?: Record<string, { project?: string; language?: string; host?: string }>;
}

/** azure.yaml deploys the app as a function to the site whose `azd-service-name` tag names its service. */
function checkAzureYaml(facts: InfraFacts, path: string, infraDir: string): Finding[] {
  if (!existsSync(path)) return [{ rule: "azd", subject: "azure.yaml", message: "azure.yaml is missing at the app's root" }];
  const azureYaml = parseYaml(readFileSync(path, "utf8")) as AzureYaml;
  const findings: Finding[] = [];
  const expectedInfraPath = join(dirname(path), azureYaml.infra?.path ?? "infra");
  if (expectedInfraPath !== infraDir || (azureYaml.infra?.module ?? "main") !== "main") {
    findings.push({ rule: "azd", subject: "infra", message: `azure.yaml infra (${azureYaml.infra?.path}/${azureYaml.infra?.module}) is not infra/main.bicep` });
  }
  const taggedServices = facts.modules.flatMap((module) =>
    module
      .resourcesOfType("Microsoft.Web/sites")
      .filter((site) => !site.existing)
      .flatMap((site) => {
        const tags = module.property(site.body, "tags");
        const tag = tags && module.entries(tags).find((entry) => entry.key === "azd-service-name");
        const value = tag && module.evaluate(tag.value);
        return typeof value === "string" ? [value] : [];
      }),
  );
  for (const [name, service] of Object.entries(azureYaml.services ?? {})) {
    if (service.host !== "function" || !["ts", "js"].includes(service.language ?? "")) {
      findings.push({ rule: "azd", subject: name, message: `azure.yaml service "${name}" must be host: function with language ts or js` });
    }
    if (!taggedServices.includes(name)) {
      findings.push({ rule: "azd", subject: name, message: `no Function App in infra/ is tagged azd-service-name: '${name}', so azd deploy cannot find it` });
    }
  }
  if (Object.keys(azureYaml.services ?? {}).length === 0) findings.push({ rule: "azd", subject: "services", message: "azure.yaml declares no service" });
  return findings;
}

/** Compares a Bicep folder with the app and returns every disagreement; an empty list means they agree. */
export function checkInfra({ infraDir, appRoot, readmePath = join(appRoot, "README.md"), config = azureResources }: CheckInfraOptions): Finding[] {
  const files = loadBicepFiles(infraDir);
  const syntax: Finding[] = files.flatMap((file) =>
    syntaxErrors(file).map((error) => ({ rule: "syntax" as const, subject: file.file, message: `infra/${error.file}:${error.line}:${error.column} ${error.message}` })),
  );
  if (files.length === 0) syntax.push({ rule: "syntax", subject: infraDir, message: `no .bicep files under ${infraDir}` });
  if (syntax.length > 0) return syntax;
  const facts = infraFacts(files);
  const tracer = new ValueTracer(facts.modules);
  const identitySettings = {
    clientId: config.appSettings.managedIdentityClientId ?? "AZURE_CLIENT_ID",
    appInsightsAuthentication: config.appSettings.applicationInsightsAuthenticationString ?? "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  };
  const readIfPresent = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : undefined);
  const parametersText = readIfPresent(join(infraDir, "main.parameters.json"));
  const readmeText = readIfPresent(readmePath);
  const main = facts.modules.find((module) => module.file === "main.bicep");
  return [
    ...new InfraChecker(facts, appUsage({ appRoot, config }), config).run(),
    ...secureDefaultFindings(facts),
    ...endpointWiringFindings(facts, tracer, endpointSettings(config)),
    ...identityWiringFindings(facts, tracer, identitySettings),
    ...durableBackendFindings(facts, tracer, readIfPresent(join(appRoot, "host.json")), parametersText),
    ...parameterFindings(facts, tracer, parametersText, readmeText),
    ...(main && readmeText !== undefined ? outputFindings(main, readmeText) : []),
    ...checkAzureYaml(facts, join(appRoot, "azure.yaml"), infraDir),
  ];
}
