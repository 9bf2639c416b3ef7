import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServiceBusClient } from "@azure/service-bus";
import { setTimeout as delay } from "node:timers/promises";
import { brokerWithClient, emulatorConfig } from "./test-support";

const config = emulatorConfig({
  Queues: [
    { Name: "replies", Properties: { RequiresSession: true, LockDuration: "PT2S" } },
    { Name: "waiting", Properties: { RequiresSession: true } },
  ],
});

let env: Awaited<ReturnType<typeof brokerWithClient>>;
beforeAll(async () => {
  env = await brokerWithClient({ config });
});
afterAll(async () => {
  await env?.close();
});

describe("sessions", () => {
  it("refuses a message without a session id on a session queue", async () => {
    const sender = env.client.createSender("replies");
    await expect(sender.sendMessages({ body: "no session" })).rejects.toThrow(/SessionId/);
    await sender.close();
  });

  it("accepts a named session and delivers only its messages, in order", async () => {
    const sender = env.client.createSender("replies");
    await sender.sendMessages([
      { body: "a1", sessionId: "a" },
      { body: "b1", sessionId: "b" },
      { body: "a2", sessionId: "a" },
    ]);
    const receiver = await env.client.acceptSession("replies", "a");
    expect(receiver.sessionId).toBe("a");
    expect(receiver.sessionLockedUntilUtc!.getTime()).toBeGreaterThan(Date.now());
    const messages = await receiver.receiveMessages(5, { maxWaitTimeInMs: 500 });
    expect(messages.map((message) => message.body)).toEqual(["a1", "a2"]);
    for (const message of messages) await receiver.completeMessage(message);
    await receiver.close();

    const next = await env.client.acceptNextSession("replies");
    expect(next.sessionId).toBe("b");
    const [b1] = await next.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(b1.body).toBe("b1");
    await next.completeMessage(b1);
    await next.close();
    await sender.close();
  });

  it("keeps session state, renews the session lock, and refuses a session another receiver holds", async () => {
    const sender = env.client.createSender("replies");
    await sender.sendMessages({ body: "s1", sessionId: "stateful" });
    const receiver = await env.client.acceptSession("replies", "stateful", { maxAutoLockRenewalDurationInMs: 0 });
    expect(await receiver.getSessionState()).toBeUndefined();
    await receiver.setSessionState({ step: 2 });
    expect(await receiver.getSessionState()).toEqual({ step: 2 });
    const before = receiver.sessionLockedUntilUtc!.getTime();
    await delay(300);
    await receiver.renewSessionLock();
    expect(receiver.sessionLockedUntilUtc!.getTime()).toBeGreaterThan(before);
    await expect(env.client.acceptSession("replies", "stateful")).rejects.toMatchObject({ code: "SessionCannotBeLocked" });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    await receiver.completeMessage(message);
    await receiver.close();
    const again = await env.client.acceptSession("replies", "stateful");
    expect(await again.getSessionState()).toEqual({ step: 2 });
    await again.close();
    await sender.close();
  });

  it("waits for a session to get messages, and times out as the client asks when none comes", async () => {
    const waiting = env.client.acceptNextSession("waiting");
    await delay(300);
    const sender = env.client.createSender("waiting");
    await sender.sendMessages({ body: "finally", sessionId: "late" });
    const receiver = await waiting;
    expect(receiver.sessionId).toBe("late");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(message.body).toBe("finally");
    await receiver.completeMessage(message);
    await receiver.close();
    await sender.close();

    const impatient = new ServiceBusClient(env.broker.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 700 } });
    await expect(impatient.acceptNextSession("waiting")).rejects.toMatchObject({ code: "ServiceTimeout" });
    await impatient.close();
  });

  it("refuses settlement once the session lock has run out, and hands the session on", async () => {
    const sender = env.client.createSender("replies");
    await sender.sendMessages({ body: "slow", sessionId: "expiring" });
    const receiver = await env.client.acceptSession("replies", "expiring", { maxAutoLockRenewalDurationInMs: 0 });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    await delay(2300);
    await expect(receiver.completeMessage(message)).rejects.toMatchObject({ code: "SessionLockLost" });
    await receiver.close();
    const next = await env.client.acceptSession("replies", "expiring");
    const [again] = await next.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(again.body).toBe("slow");
    await next.completeMessage(again);
    await next.close();
    await sender.close();
  });

  it("streams a session's messages through subscribe()", async () => {
    const sender = env.client.createSender("replies");
    await sender.sendMessages([
      { body: "x1", sessionId: "stream" },
      { body: "x2", sessionId: "stream" },
    ]);
    const receiver = await env.client.acceptSession("replies", "stream");
    const bodies: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      receiver.subscribe({
        async processMessage(message) {
          bodies.push(message.body);
          if (bodies.length === 2) resolve();
        },
        async processError({ error }) {
          reject(error);
        },
      });
    });
    expect(bodies).toEqual(["x1", "x2"]);
    await receiver.close();
    await sender.close();
  });
});
