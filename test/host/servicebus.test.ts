import { join } from "node:path";
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceBusBroker, type ServiceBusBroker } from "../../local/servicebus/broker";
import { eventually, readObservations, SAMPLE_APP, startSampleHost, type HostUnderTest } from "./run-host";

interface Observed {
  functionName: string;
  message: unknown;
  messageId: string;
  deliveryCount: number;
  enqueuedTimeUtc: string;
  applicationProperties: Record<string, unknown>;
}

describe("local host: Service Bus triggers against the local broker", () => {
  let broker: ServiceBusBroker;
  let client: ServiceBusClient;
  let host: HostUnderTest;
  const received = (functionName: string) => readObservations(host.observationsFile, "servicebus").filter((entry) => entry.functionName === functionName) as unknown as Observed[];

  beforeAll(async () => {
    // The sample app's own entities (short locks, a low max delivery count), beside the project's broker.
    broker = await startServiceBusBroker({ config: join(SAMPLE_APP, "servicebus-config.json") });
    client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 2, retryDelayInMs: 100, timeoutInMs: 10_000 } });
    host = await startSampleHost({ env: { ServiceBusConnection: broker.connectionString } });
  });
  afterAll(async () => {
    await host?.stop();
    await client?.close();
    await broker?.stop();
  });

  it("triggers on a queue with the body and the extension's metadata, and completes the message", async () => {
    const sender = client.createSender("sample-queue");
    await sender.sendMessages({ body: { order: 1 }, messageId: "order-1", applicationProperties: { source: "test" } });
    await sender.close();
    const [seen] = await eventually(() => (received("queueListener").length > 0 ? received("queueListener") : undefined), 15_000, "the queue trigger");
    expect(seen).toMatchObject({ message: { order: 1 }, messageId: "order-1", deliveryCount: 1, applicationProperties: { source: "test" } });
    expect(Number.isNaN(Date.parse(seen.enqueuedTimeUtc))).toBe(false);
    const receiver = client.createReceiver("sample-queue");
    expect(await receiver.peekMessages(1)).toHaveLength(0);
    await receiver.close();
  });

  it("triggers on a topic subscription", async () => {
    const sender = client.createSender("sample-topic");
    await sender.sendMessages({ body: "hello topic", messageId: "topic-1" });
    await sender.close();
    const [seen] = await eventually(() => (received("topicListener").length > 0 ? received("topicListener") : undefined), 15_000, "the topic trigger");
    expect(seen).toMatchObject({ message: "hello topic", messageId: "topic-1" });
  });

  it("abandons on failure until the max delivery count dead-letters the message", async () => {
    const sender = client.createSender("sample-poison");
    await sender.sendMessages({ body: { bad: true }, messageId: "poison-1" });
    await sender.close();
    const deadLetters = client.createReceiver("sample-poison", { subQueueType: "deadLetter" });
    const [dead] = await eventually(async () => {
      const messages = await deadLetters.receiveMessages(1, { maxWaitTimeInMs: 500 });
      return messages.length > 0 ? messages : undefined;
    }, 20_000, "the dead-lettered message");
    expect(dead.messageId).toBe("poison-1");
    await deadLetters.completeMessage(dead);
    await deadLetters.close();
    expect(received("poisonListener").map((entry) => entry.deliveryCount)).toEqual([1, 2, 3]);
  });

  it("hands batches to cardinality-many functions with metadata arrays", async () => {
    const sender = client.createSender("sample-batch");
    await sender.sendMessages([{ body: { n: 1 }, messageId: "b1" }, { body: { n: 2 }, messageId: "b2" }]);
    await sender.close();
    const batches = await eventually(() => {
      const seen = readObservations(host.observationsFile, "servicebus-batch") as unknown as { messages: unknown[]; messageIds: string[]; deliveryCounts: number[] }[];
      return seen.flatMap((batch) => batch.messages).length >= 2 ? seen : undefined;
    }, 15_000, "the batch trigger");
    expect(batches.flatMap((batch) => batch.messages)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(batches.flatMap((batch) => batch.messageIds)).toEqual(["b1", "b2"]);
    expect(batches.flatMap((batch) => batch.deliveryCounts)).toEqual([1, 1]);
  });

  it("locks sessions and delivers each session's messages in order", async () => {
    const sender = client.createSender("sample-sessions");
    await sender.sendMessages([1, 2, 3].map((n) => ({ body: n, sessionId: "s1" })));
    await sender.sendMessages({ body: 10, sessionId: "s2" });
    await sender.close();
    const seen = await eventually(() => {
      const entries = readObservations(host.observationsFile, "servicebus-session") as unknown as { message: number; sessionId: string }[];
      return entries.length >= 4 ? entries : undefined;
    }, 15_000, "the session trigger");
    expect(seen.filter((entry) => entry.sessionId === "s1").map((entry) => entry.message)).toEqual([1, 2, 3]);
    expect(seen.filter((entry) => entry.sessionId === "s2").map((entry) => entry.message)).toEqual([10]);
  });

  it("sends Service Bus output bindings", async () => {
    const accepted = await fetch(`${host.baseUrl}/api/enqueue`, { method: "POST", body: JSON.stringify({ via: "output binding" }) });
    expect(accepted.status).toBe(202);
    await eventually(() => received("queueListener").some((entry) => (entry.message as { via?: string }).via === "output binding"), 15_000, "the message sent by the output binding");
  });
});
