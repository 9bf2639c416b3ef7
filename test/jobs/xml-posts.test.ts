import { join } from "node:path";
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceBusBroker, type ServiceBusBroker } from "../../local/servicebus/broker";
import { azureResources } from "../../shared/config/azure-resources";
import { readDataServiceSettings } from "../../shared/dataservice";
import { createAppServices, type AppServices } from "../../shared/jobs";
import { uniqueOrganization } from "../support/data-service";
import { registerQueueStep } from "../support/system-jobs";
import { testPlugins, webApiClient } from "../pipeline/support";

const QUEUE = azureResources.serviceBus.queues.events.name;
const organization = uniqueOrganization("xmlpost");
const XSD = "http://www.w3.org/2001/XMLSchema";
const SERIALIZATION = "http://schemas.microsoft.com/2003/10/Serialization/";

const label = (text: string) => ({
  "@odata.type": "Microsoft.Dynamics.CRM.Label",
  LocalizedLabels: [{ "@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", Label: text, LanguageCode: 1033 }],
});

/**
 * A system job's Text XML post (messageformat 3), as a listener reads it from the local broker's queue: its
 * values keep their .NET types through the job's stored context (a Guid `guid`, a BigInt `long`, a Double
 * `double` even when integral), and the AsynchronousStepPrimaryName image lists the primary name, then the id.
 */
describe("an asynchronous step's Text XML post", () => {
  let broker: ServiceBusBroker;
  let client: ServiceBusClient;
  let services: AppServices;
  let api: ReturnType<ReturnType<typeof webApiClient>>;
  const webApi = (method: string, path: string, body?: unknown) => api(method, path, { body, headers: { Prefer: "return=representation" } });

  beforeAll(async () => {
    // A broker of this file's own: no other test reads its dataverse-events queue.
    broker = await startServiceBusBroker({ config: join(__dirname, "../../local/servicebus/config.json") });
    client = new ServiceBusClient(broker.connectionString);
    const env = { AzureWebJobsStorage: process.env.AzureWebJobsStorage, ServiceBusConnection: broker.connectionString, Organizations: organization, AllowAnonymousAsAdmin: "true" };
    services = createAppServices(env, { plugins: testPlugins(), settings: readDataServiceSettings(env) });
    api = webApiClient(services.pipeline)(organization);
  });
  afterAll(async () => {
    await services?.close();
    await client?.close();
    await broker?.stop();
  });

  it("types the new row's id guid, a BigInt long and a Double double, and lists the primary name before the id", async () => {
    const table = await api("POST", "EntityDefinitions", {
      body: {
        "@odata.type": "Microsoft.Dynamics.CRM.EntityMetadata",
        SchemaName: "new_Meter",
        DisplayName: label("Meter"),
        DisplayCollectionName: label("Meters"),
        OwnershipType: "UserOwned",
        HasActivities: false,
        Attributes: [
          { "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Name", IsPrimaryName: true, MaxLength: 100, DisplayName: label("Name") },
          { "@odata.type": "Microsoft.Dynamics.CRM.BigIntAttributeMetadata", SchemaName: "new_Ticks", DisplayName: label("Ticks") },
          { "@odata.type": "Microsoft.Dynamics.CRM.DoubleAttributeMetadata", SchemaName: "new_Reading", DisplayName: label("Reading") },
        ],
      },
    });
    expect(table.status).toBe(204);
    const stepId = await registerQueueStep(webApi, broker.connectionString, { table: "new_meter", mode: 1, endpoint: { name: "xml queue", messageformat: 3 } });

    const created = await webApi("POST", "new_meters", { new_name: "Hall", new_ticks: 5, new_reading: 3 });
    expect(created.status).toBe(201);
    const id = created.json.new_meterid as string;
    const jobId = (await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${stepId}&$select=asyncoperationid`)).json.value[0].asyncoperationid as string;
    expect(await services.jobs.attempt({ organization, jobId })).toEqual({ kind: "completed", statuscode: 30 });

    const receiver = client.createReceiver(QUEUE, { receiveMode: "receiveAndDelete", skipParsingBodyAsJson: true });
    const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 2_000 });
    await receiver.close();
    expect(messages.map((message) => [message.messageId, message.contentType])).toEqual([[jobId, "application/xml"]]);
    const xml = Buffer.from(messages[0].body as Uint8Array).toString("utf8");

    const guid = `<b:value i:type="e:guid" xmlns:e="${SERIALIZATION}">${id}</b:value>`;
    expect(xml).toContain(`<OutputParameters xmlns:b="http://schemas.datacontract.org/2004/07/System.Collections.Generic"><KeyValuePairOfstringanyType><b:key>id</b:key>${guid}`);
    expect(xml).toContain(`<b:key>new_ticks</b:key><b:value i:type="c:long" xmlns:c="${XSD}">5</b:value>`);
    expect(xml).toContain(`<b:key>new_reading</b:key><b:value i:type="c:double" xmlns:c="${XSD}">3</b:value>`);
    const image = /<b:key>AsynchronousStepPrimaryName<\/b:key><b:value><Attributes>(.*?)<\/Attributes>/.exec(xml)?.[1];
    expect(image).toBe(
      `<KeyValuePairOfstringanyType><b:key>new_name</b:key><b:value i:type="c:string" xmlns:c="${XSD}">Hall</b:value></KeyValuePairOfstringanyType>` +
        `<KeyValuePairOfstringanyType><b:key>new_meterid</b:key>${guid}</KeyValuePairOfstringanyType>`,
    );
  });
});
