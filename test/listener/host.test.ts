import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceBusBroker, type ServiceBusBroker } from "../../local/servicebus/broker";
import { azureResources } from "../../shared/config/azure-resources";
import { tableClientFor } from "../../shared/config/table-client";
import { ClaimKeys, createEndpointPoster, validateServiceEndpoint, type EndpointPoster } from "../../shared/delivery";
import { ReceiptStore } from "../../shared/listener/receipts";
import { eventually, type HostUnderTest } from "../host/run-host";
import { uniqueOrganization } from "../support/data-service";
import { accountCreated } from "../support/delivery";
import { BIG_INTEGER, MONEY_VALUE, preciseContactUpdate } from "../support/precise-body";
import { startProjectHost } from "../support/system-jobs";

// The sample listener (functions/listener.ts) in the local host, fed through the local broker.

const QUEUE = azureResources.serviceBus.queues.events.name;
const TOPIC = azureResources.serviceBus.topics.events.name;
const receipts = new ReceiptStore(tableClientFor(azureResources.tables.listenerReceipts));

describe("the sample listener in the local host", () => {
  let broker: ServiceBusBroker;
  let client: ServiceBusClient;
  let poster: EndpointPoster;
  let host: HostUnderTest;

  beforeAll(async () => {
    broker = await startServiceBusBroker({ config: join(__dirname, "../../local/servicebus/config.json") });
    client = new ServiceBusClient(broker.connectionString);
    poster = createEndpointPoster({ env: { ServiceBusConnection: broker.connectionString } });
    host = await startProjectHost(uniqueOrganization("listener"), broker.connectionString);
  }, 60_000);
  afterAll(async () => {
    await host?.stop();
    await poster?.close();
    await client?.close();
    await broker?.stop();
  });

  it("reads a BigInt past 2^53 and a Money with 4 decimals exactly (as its receipt shows), from a real Dataverse body with the organization URI claim", async () => {
    const operationId = randomUUID();
    const sender = client.createSender(QUEUE);
    await sender.sendMessages({
      body: Buffer.from(preciseContactUpdate(operationId), "utf8"),
      contentType: "application/json",
      messageId: operationId,
      applicationProperties: { [ClaimKeys.organization]: "https://OrgName.crm.dynamics.com/", [ClaimKeys.entityLogicalName]: "contact", [ClaimKeys.requestName]: "Update" },
    });
    await sender.close();
    const [receipt] = await eventually(async () => {
      const found = (await receipts.list({ source: QUEUE })).filter((row) => row.operationId === operationId);
      return found.length > 0 && found;
    }, 20_000, "the receipt");
    expect(receipt).toMatchObject({ organizationName: "OrgName", messageName: "Update", primaryEntityName: "contact" });
    const target = JSON.parse(receipt.target ?? "{}") as Record<string, string>;
    expect(target.new_big).toBe(BIG_INTEGER);
    expect(target.new_money).toContain(`"Value":${MONEY_VALUE}}`);
  });

  it("runs the topic-triggered function on what a topic endpoint posts: a receipt from dataverse-topic/listener", async () => {
    const context = accountCreated();
    const endpoint = validateServiceEndpoint({ name: "topic", contract: 5, messageformat: 2, authtype: 9, userclaim: 2, path: TOPIC });
    await poster.post(context, endpoint);
    const source = `${TOPIC}/${azureResources.serviceBus.topics.events.subscriptions.listener.name}`;
    expect(source).toBe("dataverse-topic/listener");
    const found = await eventually(async () => {
      const rows = await receipts.list({ source, correlationId: context.correlationId });
      return rows.length > 0 && rows;
    }, 20_000, "the topic receipt");
    expect(found).toMatchObject([{ source, operationId: context.operationId, messageName: "Create", primaryEntityName: "account", contentType: "application/json", deliveryCount: 1 }]);
    expect(host.output.join("\n")).toMatch(/Executed 'Functions\.dataverseTopicListener' \(Succeeded/);
  });
});
