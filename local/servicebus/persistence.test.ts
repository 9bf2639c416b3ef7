import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventHubProducerClient } from "@azure/event-hubs";
import { startServiceBusBroker } from "./broker";
import { brokerWithClient, emulatorConfig } from "./test-support";

const config = emulatorConfig(
  {
    Queues: [
      { Name: "durable", Properties: { LockDuration: "PT30S" } },
      { Name: "stateful", Properties: { RequiresSession: true } },
    ],
    Topics: [{ Name: "news", Properties: {}, Subscriptions: [{ Name: "reader", Properties: {} }] }],
  },
  { UserConfig: { NamespaceConfig: [{ Type: "EventHub", Name: "ns", Entities: [{ Name: "audit", PartitionCount: "2" }] }] } },
);

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sb-data-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("durability", () => {
  it("a restarted broker on the same directory has lost nothing, and releases the locks", async () => {
    const dir = dataDir();
    const first = await brokerWithClient({ config, dataDir: dir });
    const sender = first.client.createSender("durable");
    await sender.sendMessages([{ body: "completed" }, { body: "locked", messageId: "locked-1" }, { body: "deferred" }, { body: "dead" }, { body: "waiting" }]);
    const [scheduled] = await sender.scheduleMessages({ body: "later", messageId: "later-1" }, new Date(Date.now() + 3_600_000));
    const receiver = first.client.createReceiver("durable", { maxAutoLockRenewalDurationInMs: 0 });
    const [completed, locked, deferred, dead] = await receiver.receiveMessages(4, { maxWaitTimeInMs: 1000 });
    await receiver.completeMessage(completed);
    await receiver.deferMessage(deferred);
    await receiver.deadLetterMessage(dead, { deadLetterReason: "Broken", deadLetterErrorDescription: "cannot parse" });
    await first.client.createSender("news").sendMessages({ body: "headline", applicationProperties: { page: 1 } });
    await first.client.createSender("stateful").sendMessages({ body: "in session", sessionId: "s" });
    const session = await first.client.acceptSession("stateful", "s");
    await session.setSessionState("checkpoint");
    await session.close();
    expect(locked.body).toBe("locked");
    await first.close();

    const second = await brokerWithClient({ config, dataDir: dir });
    const again = second.client.createReceiver("durable");
    const peeked = await again.peekMessages(10);
    expect(peeked.map((message) => [message.body, message.state])).toEqual([
      ["locked", "active"],
      ["deferred", "deferred"],
      ["waiting", "active"],
      ["later", "scheduled"],
    ]);
    expect(peeked[3].sequenceNumber!.toNumber()).toBe(scheduled.toNumber());
    expect(peeked[3].scheduledEnqueueTimeUtc!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    const redelivered = await again.receiveMessages(5, { maxWaitTimeInMs: 1000 });
    expect(redelivered.map((message) => message.body)).toEqual(["locked", "waiting"]);
    expect(redelivered[0].messageId).toBe("locked-1");
    const [stillDeferred] = await again.receiveDeferredMessages(deferred.sequenceNumber!);
    expect(stillDeferred.body).toBe("deferred");
    const deadLetters = second.client.createReceiver("durable", { subQueueType: "deadLetter" });
    const [stillDead] = await deadLetters.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(stillDead.deadLetterReason).toBe("Broken");
    const [headline] = await second.client.createReceiver("news", "reader").receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(headline.applicationProperties).toEqual({ page: 1 });
    const resumed = await second.client.acceptSession("stateful", "s");
    expect(await resumed.getSessionState()).toBe("checkpoint");
    await second.client.createSender("durable").sendMessages({ body: "after restart" });
    const [fresh] = await again.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(fresh.sequenceNumber!.toNumber()).toBeGreaterThan(scheduled.toNumber());

    // Drained to nothing, the queue still numbers on from the highest number it ever gave.
    for (const message of [...redelivered, stillDeferred, fresh]) await again.completeMessage(message);
    await deadLetters.completeMessage(stillDead);
    await second.client.createSender("durable").cancelScheduledMessages(scheduled);
    expect(await second.client.createReceiver("durable").peekMessages(10)).toEqual([]);
    await second.close();
    await (await startServiceBusBroker({ config, dataDir: dir })).stop(); // a restart that compacts the log to no messages at all
    const third = await brokerWithClient({ config, dataDir: dir });
    await third.client.createSender("durable").sendMessages({ body: "after the queue was empty" });
    const [next] = await third.client.createReceiver("durable").peekMessages(1);
    expect(next.body).toBe("after the queue was empty");
    expect(next.sequenceNumber!.toNumber()).toBeGreaterThan(fresh.sequenceNumber!.toNumber());
    await third.close();
  });

  it("keeps Event Hubs events across a restart", async () => {
    const dir = dataDir();
    const first = await startServiceBusBroker({ config, dataDir: dir });
    const producer = new EventHubProducerClient(first.eventHubsConnectionString("audit"));
    await producer.sendBatch([{ body: "one" }, { body: "two" }], { partitionId: "1" });
    await producer.close();
    await first.stop();
    const second = await startServiceBusBroker({ config, dataDir: dir });
    const events = second.eventHubs.events("audit", "1");
    expect(events.map((event) => [JSON.parse((event.body as Buffer).toString()), event.sequenceNumber])).toEqual([
      ["one", 0],
      ["two", 1],
    ]);
    await second.stop();
  });

  it("has written a message to disk by the time its send is acknowledged", async () => {
    const dir = dataDir();
    const running = await brokerWithClient({ config, dataDir: dir });
    await running.client.createSender("durable").sendMessages({ body: "acknowledged" });
    // A second broker reading the directory while the first still runs sees what a crash would leave.
    const reader = await startServiceBusBroker({ config, dataDir: dir });
    expect(reader.namespace.store("durable").activeMessageCount).toBe(1);
    await reader.stop();
    await running.close();
  });
});
