import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brokerWithClient, emulatorConfig } from "./test-support";

const config = emulatorConfig({
  Queues: [
    { Name: "orders", Properties: { LockDuration: "PT1S", MaxDeliveryCount: 3 } },
    { Name: "plain", Properties: {} },
  ],
});

let env: Awaited<ReturnType<typeof brokerWithClient>>;
beforeAll(async () => {
  env = await brokerWithClient({ config });
});
afterAll(async () => {
  await env?.close();
});

describe("queues", () => {
  it("delivers a sent message to a peekLock receiver, and complete removes it", async () => {
    const sender = env.client.createSender("orders");
    await sender.sendMessages({ body: { id: 1 }, messageId: "m-1", applicationProperties: { kind: "order" }, subject: "created" });
    const receiver = env.client.createReceiver("orders");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(message.body).toEqual({ id: 1 });
    expect(message.messageId).toBe("m-1");
    expect(message.applicationProperties).toEqual({ kind: "order" });
    expect(message.subject).toBe("created");
    expect(message.sequenceNumber?.toNumber()).toBeGreaterThan(0);
    expect(message.lockedUntilUtc).toBeInstanceOf(Date);
    await receiver.completeMessage(message);
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    await receiver.close();
    await sender.close();
  });

  it("sends batches and receives them in order in receiveAndDelete mode", async () => {
    const sender = env.client.createSender("plain");
    const batch = await sender.createMessageBatch();
    for (let i = 0; i < 50; i++) expect(batch.tryAddMessage({ body: `message ${i}` })).toBe(true);
    await sender.sendMessages(batch);
    const receiver = env.client.createReceiver("plain", { receiveMode: "receiveAndDelete" });
    const received: unknown[] = [];
    while (received.length < 50) {
      const messages = await receiver.receiveMessages(50, { maxWaitTimeInMs: 1000 });
      if (messages.length === 0) break;
      received.push(...messages.map((message) => message.body));
    }
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => `message ${i}`));
    expect(await receiver.peekMessages(1)).toHaveLength(0);
    await receiver.close();
    await sender.close();
  });

  it("redelivers an abandoned message with the modified properties and a higher delivery count", async () => {
    const sender = env.client.createSender("orders");
    await sender.sendMessages({ body: "retry me", applicationProperties: { attempt: 0 } });
    const receiver = env.client.createReceiver("orders");
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.abandonMessage(first, { attempt: 1 });
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(second.body).toBe("retry me");
    expect(second.applicationProperties).toEqual({ attempt: 1 });
    expect(second.deliveryCount).toBe((first.deliveryCount ?? 0) + 1);
    await receiver.completeMessage(second);
    await receiver.close();
    await sender.close();
  });

  it("feeds subscribe() with several concurrent calls, each message once", async () => {
    const sender = env.client.createSender("plain");
    await sender.sendMessages(Array.from({ length: 40 }, (_, i) => ({ body: i })));
    const receiver = env.client.createReceiver("plain");
    const seen: number[] = [];
    await new Promise<void>((resolve, reject) => {
      receiver.subscribe(
        {
          async processMessage(message) {
            await receiver.completeMessage(message);
            seen.push(message.body as number);
            if (seen.length === 40) resolve();
          },
          async processError({ error }) {
            reject(error);
          },
        },
        { maxConcurrentCalls: 8, autoCompleteMessages: false },
      );
    });
    await receiver.close();
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const check = env.client.createReceiver("plain");
    expect(await check.peekMessages(50)).toHaveLength(0);
    await Promise.all([check.close(), sender.close()]);
  });

  it("drops a message whose own time to live has passed", async () => {
    const sender = env.client.createSender("plain");
    await sender.sendMessages([{ body: "brief", timeToLive: 200 }, { body: "lasting" }]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const receiver = env.client.createReceiver("plain", { receiveMode: "receiveAndDelete" });
    const messages = await receiver.receiveMessages(5, { maxWaitTimeInMs: 500 });
    expect(messages.map((message) => message.body)).toEqual(["lasting"]);
    await Promise.all([receiver.close(), sender.close()]);
  });

  it("refuses an unknown queue with MessagingEntityNotFound", async () => {
    const sender = env.client.createSender("nope");
    await expect(sender.sendMessages({ body: "x" })).rejects.toMatchObject({ code: "MessagingEntityNotFound" });
    await sender.close();
  });
});
