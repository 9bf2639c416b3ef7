import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventHubProducerClient } from "@azure/event-hubs";
import { ServiceBusClient, type ServiceBusReceivedMessage, type ServiceBusSender } from "@azure/service-bus";
import { spawnManaged } from "../util/child";
import { startServiceBusBroker } from "./broker";
import { parseConfig } from "./config";
import { brokerWithClient, emulatorConfigJson } from "./test-support";

const configJson = emulatorConfigJson(
  {
    Queues: [
      { Name: "durable", Properties: { LockDuration: "PT30S" } },
      { Name: "stateful", Properties: { RequiresSession: true } },
    ],
    Topics: [{ Name: "news", Properties: {}, Subscriptions: [{ Name: "reader", Properties: {} }] }],
  },
  { UserConfig: { NamespaceConfig: [{ Type: "EventHub", Name: "ns", Entities: [{ Name: "audit", PartitionCount: "2" }] }] } },
);
const config = parseConfig(configJson);

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
});

describe("a crash right after an acknowledgement (broker killed, journal writes slowed to a second)", () => {
  const cli = resolve(__dirname, "../../dist/local/servicebus/cli.js");
  const slowDisk = resolve(__dirname, "slow-disk.test-preload.mjs");

  /** The broker's CLI as a child process on `dir`, each journal write taking a second; `crash()` kills it (SIGKILL). */
  async function slowDiskBroker(dir: string): Promise<{ client: ServiceBusClient; crash(): Promise<void> }> {
    const configFile = join(dir, "config.json");
    writeFileSync(configFile, JSON.stringify(configJson));
    const output: string[] = [];
    const child = spawnManaged(process.execPath, ["--import", slowDisk, cli, "--config", configFile, "--data", dir], { onOutput: (line) => output.push(line) });
    const exited = new Promise((done) => child.process.once("exit", done));
    const connectionString = await new Promise<string>((resolveReady, reject) => {
      child.process.stdout?.on("data", () => {
        const line = output.find((text) => text.startsWith("ServiceBusConnection="));
        if (line) resolveReady(line.slice("ServiceBusConnection=".length));
      });
      void exited.then(() => reject(new Error(`the broker exited:\n${output.join("\n")}`)));
    });
    const client = new ServiceBusClient(connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 } });
    return {
      client,
      async crash() {
        process.kill(-child.process.pid!, "SIGKILL");
        await exited;
        await client.close();
      },
    };
  }

  /** Runs `prepare` then `act` against a slow-disk broker, kills it the moment `act` is acknowledged, and restarts it. */
  async function crashAfter(act: (client: ServiceBusClient) => Promise<unknown>, prepare?: (client: ServiceBusClient) => Promise<void>) {
    const dir = dataDir();
    const crashing = await slowDiskBroker(dir);
    await prepare?.(crashing.client);
    await act(crashing.client);
    await crashing.crash();
    return brokerWithClient({ config, dataDir: dir });
  }

  const later = () => new Date(Date.now() + 3_600_000);

  it("keeps a sent message", async () => {
    const restarted = await crashAfter((client) => client.createSender("durable").sendMessages({ body: "acknowledged" }));
    expect((await restarted.client.createReceiver("durable").peekMessages(10)).map((message) => message.body)).toEqual(["acknowledged"]);
    await restarted.close();
  });

  it("keeps a scheduled message", async () => {
    const restarted = await crashAfter((client) => client.createSender("durable").scheduleMessages({ body: "scheduled" }, later()));
    expect((await restarted.client.createReceiver("durable").peekMessages(10)).map((message) => [message.body, message.state])).toEqual([["scheduled", "scheduled"]]);
    await restarted.close();
  });

  it("keeps a scheduled message cancelled", async () => {
    let sequenceNumbers: Awaited<ReturnType<ServiceBusSender["scheduleMessages"]>> = [];
    const restarted = await crashAfter(
      (client) => client.createSender("durable").cancelScheduledMessages(sequenceNumbers),
      async (client) => {
        sequenceNumbers = await client.createSender("durable").scheduleMessages({ body: "cancelled" }, later());
      },
    );
    expect(await restarted.client.createReceiver("durable").peekMessages(10)).toEqual([]);
    await restarted.close();
  });

  it("keeps a session state", async () => {
    const restarted = await crashAfter(async (client) => (await client.acceptSession("stateful", "s")).setSessionState("checkpoint"));
    expect(String(await (await restarted.client.acceptSession("stateful", "s")).getSessionState())).toBe("checkpoint");
    await restarted.close();
  });

  it("keeps a message completed", async () => {
    const restarted = await crashAfter(
      async (client) => {
        const receiver = client.createReceiver("durable");
        const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
        await receiver.completeMessage(message);
      },
      (client) => client.createSender("durable").sendMessages({ body: "completed" }),
    );
    expect(await restarted.client.createReceiver("durable").peekMessages(10)).toEqual([]);
    await restarted.close();
  });

  it("keeps a deferred message completed (a settlement through the management link)", async () => {
    let deferred: ServiceBusReceivedMessage["sequenceNumber"];
    const restarted = await crashAfter(
      async (client) => {
        const receiver = client.createReceiver("durable");
        const [message] = await receiver.receiveDeferredMessages(deferred!);
        await receiver.completeMessage(message);
      },
      async (client) => {
        await client.createSender("durable").sendMessages({ body: "deferred" });
        const receiver = client.createReceiver("durable");
        const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
        await receiver.deferMessage(message);
        deferred = message.sequenceNumber;
      },
    );
    expect(await restarted.client.createReceiver("durable").peekMessages(10)).toEqual([]);
    await restarted.close();
  });
});
