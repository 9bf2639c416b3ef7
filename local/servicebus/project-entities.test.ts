import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventHubProducerClient } from "@azure/event-hubs";
import { ServiceBusClient } from "@azure/service-bus";
import { startServiceBusBroker, type ServiceBusBroker } from "./broker";

let broker: ServiceBusBroker;
beforeAll(async () => {
  broker = await startServiceBusBroker({ config: join(__dirname, "config.json") });
});
afterAll(async () => {
  await broker?.stop();
});

describe("the project's entities (local/servicebus/config.json)", () => {
  it("serves dataverse-events with duplicate detection, dataverse-topic/listener, sessions on dataverse-replies and the event hub", async () => {
    const client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 5000 } });
    await client.createSender("dataverse-events").sendMessages([{ body: "once", messageId: "operation-1" }, { body: "again", messageId: "operation-1" }]);
    const queue = client.createReceiver("dataverse-events", { receiveMode: "receiveAndDelete" });
    expect((await queue.receiveMessages(5, { maxWaitTimeInMs: 500 })).map((message) => message.body)).toEqual(["once"]);

    await client.createSender("dataverse-topic").sendMessages({ body: "to listener" });
    const [topicMessage] = await client.createReceiver("dataverse-topic", "listener", { receiveMode: "receiveAndDelete" }).receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(topicMessage.body).toBe("to listener");

    await client.createSender("dataverse-replies").sendMessages({ body: "reply", sessionId: "request-1" });
    const replies = await client.acceptSession("dataverse-replies", "request-1", { receiveMode: "receiveAndDelete" });
    expect((await replies.receiveMessages(1, { maxWaitTimeInMs: 1000 }))[0].body).toBe("reply");
    await client.close();

    const producer = new EventHubProducerClient(broker.eventHubsConnectionString(), "dataverse-events");
    expect((await producer.getEventHubProperties()).partitionIds).toHaveLength(4);
    await producer.close();
  });

  it("is what the test setup exports as ServiceBusConnection and EventHubConnection (checked read-only: the broker is shared)", async () => {
    const client = new ServiceBusClient(process.env.ServiceBusConnection as string, { retryOptions: { maxRetries: 0, timeoutInMs: 5000 } });
    await expect(client.createReceiver("dataverse-topic", "listener").peekMessages(1)).resolves.toBeInstanceOf(Array);
    await client.close();
    const producer = new EventHubProducerClient(process.env.EventHubConnection as string, "dataverse-events");
    expect((await producer.getEventHubProperties()).name).toBe("dataverse-events");
    await producer.close();
  });
});
