import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventHubProducerClient } from "@azure/event-hubs";
import { startServiceBusBroker, type ServiceBusBroker } from "./broker";
import { emulatorConfig } from "./test-support";

const config = emulatorConfig({ Queues: [{ Name: "dataverse-events", Properties: {} }] }, { UserConfig: { NamespaceConfig: [{ Type: "EventHub", Name: "ns", Entities: [{ Name: "dataverse-events", PartitionCount: "4" }] }] } });

let broker: ServiceBusBroker;
let producer: EventHubProducerClient;
beforeAll(async () => {
  broker = await startServiceBusBroker({ config });
  producer = new EventHubProducerClient(broker.eventHubsConnectionString(), "dataverse-events", { retryOptions: { maxRetries: 1, timeoutInMs: 5000 } });
});
afterAll(async () => {
  await producer?.close();
  await broker?.stop();
});

describe("event hubs", () => {
  it("reports hub and partition properties", async () => {
    const hub = await producer.getEventHubProperties();
    expect(hub.name).toBe("dataverse-events");
    expect(hub.partitionIds).toEqual(["0", "1", "2", "3"]);
    const partition = await producer.getPartitionProperties("2");
    expect(partition).toMatchObject({ eventHubName: "dataverse-events", partitionId: "2", isEmpty: true });
  });

  it("receives events sent to the hub, with a partition key, and to a partition", async () => {
    const batch = await producer.createBatch({ partitionKey: "account-1" });
    batch.tryAdd({ body: { name: "first" }, properties: { kind: "create" } });
    batch.tryAdd({ body: { name: "second" }, properties: { kind: "update" } });
    await producer.sendBatch(batch);
    await producer.sendBatch([{ body: "to partition 3" }], { partitionId: "3" });
    const arrived = broker.eventHubs.events("dataverse-events");
    const keyed = arrived.filter((event) => event.partitionKey === "account-1");
    expect(keyed.map((event) => JSON.parse((event.body as Buffer).toString("utf8")))).toEqual([{ name: "first" }, { name: "second" }]);
    expect(keyed.map((event) => event.applicationProperties.kind)).toEqual(["create", "update"]);
    expect(new Set(keyed.map((event) => event.partitionId)).size).toBe(1);
    const direct = broker.eventHubs.events("dataverse-events", "3").filter((event) => event.partitionKey === undefined);
    expect(direct.map((event) => JSON.parse((event.body as Buffer).toString("utf8")))).toEqual(["to partition 3"]);
    const partition = await producer.getPartitionProperties("3");
    expect(partition.isEmpty).toBe(false);
  });

  it("keeps the hub apart from the Service Bus queue of the same name", () => {
    expect(broker.eventHubsPort).not.toBe(broker.port);
    expect(broker.namespace.store("dataverse-events").activeMessageCount).toBe(0);
  });
});
