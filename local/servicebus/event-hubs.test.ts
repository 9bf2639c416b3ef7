import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } from "@azure/event-hubs";
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

describe("event hubs consumer", () => {
  it("delivers a partition's events to EventHubConsumerClient from a position, then new ones", async () => {
    const hub = "dataverse-events";
    const before = (await producer.getPartitionProperties("1")).lastEnqueuedSequenceNumber;
    await producer.sendBatch([{ body: { n: 1 } }, { body: { n: 2 } }], { partitionId: "1" });
    const consumer = new EventHubConsumerClient("$Default", broker.eventHubsConnectionString(), hub);
    const received: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const subscription = consumer.subscribe(
        "1",
        {
          async processEvents(events) {
            received.push(...events.map((event) => [event.body, event.sequenceNumber, event.partitionKey ?? null]));
            if (received.length === 3) {
              await subscription.close();
              resolve();
            }
          },
          async processError(error) {
            reject(error);
          },
        },
        { startPosition: { sequenceNumber: before }, maxWaitTimeInSeconds: 1 },
      );
    });
    await producer.sendBatch([{ body: { n: 3 } }], { partitionId: "1" });
    await done;
    expect(received).toEqual([
      [{ n: 1 }, before + 1, null],
      [{ n: 2 }, before + 2, null],
      [{ n: 3 }, before + 3, null],
    ]);
    await consumer.close();
  });

  it("reads from the earliest position, and refuses an unknown partition", async () => {
    const consumer = new EventHubConsumerClient("$Default", broker.eventHubsConnectionString(), "dataverse-events", { retryOptions: { maxRetries: 0, timeoutInMs: 3000 } });
    const first = await new Promise<number>((resolve, reject) => {
      const subscription = consumer.subscribe(
        "3",
        {
          async processEvents(events) {
            if (events.length === 0) return;
            await subscription.close();
            resolve(events[0].sequenceNumber);
          },
          async processError(error) {
            reject(error);
          },
        },
        { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 },
      );
    });
    expect(first).toBe(0);
    const errors: string[] = [];
    const subscription = consumer.subscribe("9", { processEvents: async () => undefined, processError: async (error) => void errors.push((error as Error).message) }, { startPosition: earliestEventPosition });
    while (errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    await subscription.close();
    expect(errors.join(" ")).toMatch(/9|partition/i);
    await consumer.close();
  });
});
