import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setTimeout as delay } from "node:timers/promises";
import { brokerWithClient, emulatorConfig } from "./test-support";

const config = emulatorConfig({
  Queues: [
    { Name: "work", Properties: { LockDuration: "PT1S", MaxDeliveryCount: 2 } },
    { Name: "short-lived", Properties: { DefaultMessageTimeToLive: "PT1S", DeadLetteringOnMessageExpiration: true } },
    { Name: "vanishing", Properties: { DefaultMessageTimeToLive: "PT1S", DeadLetteringOnMessageExpiration: false } },
    { Name: "dedup", Properties: { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: "PT20S" } },
    { Name: "later", Properties: {} },
    { Name: "renewals", Properties: { LockDuration: "PT1S" } },
  ],
});

let env: Awaited<ReturnType<typeof brokerWithClient>>;
beforeAll(async () => {
  env = await brokerWithClient({ config });
});
afterAll(async () => {
  await env?.close();
});

async function send(queue: string, ...messages: Parameters<ReturnType<typeof env.client.createSender>["sendMessages"]>[0][]) {
  const sender = env.client.createSender(queue);
  for (const message of messages) await sender.sendMessages(message);
  await sender.close();
}

describe("settlement", () => {
  it("defers a message and hands it back by sequence number", async () => {
    await send("work", { body: "defer me" });
    const receiver = env.client.createReceiver("work");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deferMessage(message, { reason: "later" });
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    const [deferred] = await receiver.receiveDeferredMessages(message.sequenceNumber!);
    expect(deferred.body).toBe("defer me");
    expect(deferred.applicationProperties).toEqual({ reason: "later" });
    expect(deferred.state).toBe("deferred");
    await receiver.completeMessage(deferred);
    await expect(receiver.receiveDeferredMessages(message.sequenceNumber!)).rejects.toMatchObject({ code: "MessageNotFound" });
    await receiver.close();
  });

  it("dead-letters with reason and description into the $DeadLetterQueue subqueue", async () => {
    await send("work", { body: "poison", messageId: "poison-1" });
    const receiver = env.client.createReceiver("work");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deadLetterMessage(message, { deadLetterReason: "Invalid", deadLetterErrorDescription: "no customer id" });
    const deadLetters = env.client.createReceiver("work", { subQueueType: "deadLetter" });
    const [dead] = await deadLetters.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead.body).toBe("poison");
    expect(dead.messageId).toBe("poison-1");
    expect(dead.deadLetterReason).toBe("Invalid");
    expect(dead.deadLetterErrorDescription).toBe("no customer id");
    await deadLetters.completeMessage(dead);
    await Promise.all([receiver.close(), deadLetters.close()]);
  });

  it("moves a message past the max delivery count to the dead-letter queue", async () => {
    await send("work", { body: "fails twice" });
    const receiver = env.client.createReceiver("work");
    for (let attempt = 0; attempt < 2; attempt++) {
      const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
      expect(message.body).toBe("fails twice");
      await receiver.abandonMessage(message);
    }
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    const deadLetters = env.client.createReceiver("work", { subQueueType: "deadLetter" });
    const [dead] = await deadLetters.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead.body).toBe("fails twice");
    expect(dead.deadLetterReason).toBe("MaxDeliveryCountExceeded");
    await deadLetters.completeMessage(dead);
    await Promise.all([receiver.close(), deadLetters.close()]);
  });

  it("redelivers after the lock expires, and refuses the late settlement with MessageLockLost", async () => {
    await send("work", { body: "slow consumer" });
    const receiver = env.client.createReceiver("work", { maxAutoLockRenewalDurationInMs: 0 });
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await delay(1300);
    await expect(receiver.completeMessage(first)).rejects.toMatchObject({ code: "MessageLockLost" });
    const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(again.body).toBe("slow consumer");
    expect(again.deliveryCount).toBe(1);
    await receiver.completeMessage(again);
    await receiver.close();
  });

  it("renews a lock on request and automatically while a subscribe handler runs", async () => {
    await send("renewals", { body: "manual" }, { body: "automatic" });
    const receiver = env.client.createReceiver("renewals", { maxAutoLockRenewalDurationInMs: 0 });
    const [manual] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    const before = manual.lockedUntilUtc!.getTime();
    await delay(600);
    const renewed = await receiver.renewMessageLock(manual);
    expect(renewed.getTime()).toBeGreaterThan(before);
    await delay(600);
    await receiver.completeMessage(manual);
    await receiver.close();

    const autoRenewing = env.client.createReceiver("renewals", { maxAutoLockRenewalDurationInMs: 10_000 });
    const settled = new Promise<unknown>((resolve, reject) => {
      const subscription = autoRenewing.subscribe(
        {
          async processMessage(message) {
            await delay(1800);
            await autoRenewing.completeMessage(message);
            await subscription.close();
            resolve(message.body);
          },
          async processError({ error }) {
            reject(error);
          },
        },
        { autoCompleteMessages: false },
      );
    });
    expect(await settled).toBe("automatic");
    await autoRenewing.close();
  });

  it("dead-letters expired messages when the queue says so, and drops them otherwise", async () => {
    await send("short-lived", { body: "expires" });
    await send("vanishing", { body: "gone" });
    await delay(1300);
    const deadLetters = env.client.createReceiver("short-lived", { subQueueType: "deadLetter" });
    const [dead] = await deadLetters.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead.body).toBe("expires");
    expect(dead.deadLetterReason).toBe("TTLExpiredException");
    await deadLetters.completeMessage(dead);
    const vanishing = env.client.createReceiver("vanishing");
    expect(await vanishing.peekMessages(5)).toHaveLength(0);
    const vanishingDeadLetters = env.client.createReceiver("vanishing", { subQueueType: "deadLetter" });
    expect(await vanishingDeadLetters.peekMessages(5)).toHaveLength(0);
    await Promise.all([deadLetters.close(), vanishing.close(), vanishingDeadLetters.close()]);
  });

  it("drops a second message with the same MessageId inside the duplicate detection window", async () => {
    await send("dedup", { body: "first", messageId: "same" }, { body: "second", messageId: "same" }, { body: "other", messageId: "different" });
    const receiver = env.client.createReceiver("dedup", { receiveMode: "receiveAndDelete" });
    const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 500 });
    expect(messages.map((message) => message.body)).toEqual(["first", "other"]);
    await receiver.close();
  });

  it("peeks without locking, schedules messages and cancels a scheduled one", async () => {
    const sender = env.client.createSender("later");
    await sender.sendMessages([{ body: "now-1" }, { body: "now-2" }]);
    const soon = new Date(Date.now() + 1500);
    const [kept] = await sender.scheduleMessages({ body: "scheduled" }, soon);
    const [cancelled] = await sender.scheduleMessages({ body: "cancelled" }, soon);
    await sender.cancelScheduledMessages(cancelled);
    const receiver = env.client.createReceiver("later");
    const peeked = await receiver.peekMessages(10);
    expect(peeked.map((message) => [message.body, message.state])).toEqual([
      ["now-1", "active"],
      ["now-2", "active"],
      ["scheduled", "scheduled"],
    ]);
    expect((await receiver.peekMessages(10)).map((message) => message.body)).toEqual([]);
    const fromStart = await receiver.peekMessages(2, { fromSequenceNumber: peeked[0].sequenceNumber });
    expect(fromStart.map((message) => message.body)).toEqual(["now-1", "now-2"]);
    const ready = await receiver.receiveMessages(2, { maxWaitTimeInMs: 1000 });
    for (const message of ready) await receiver.completeMessage(message);
    await delay(1000);
    const [scheduled] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(scheduled.body).toBe("scheduled");
    expect(scheduled.sequenceNumber?.toNumber()).toBe(kept.toNumber());
    expect(scheduled.scheduledEnqueueTimeUtc?.getTime()).toBe(soon.getTime());
    await receiver.completeMessage(scheduled);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    await Promise.all([receiver.close(), sender.close()]);
  });
});
