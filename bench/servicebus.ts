import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo, Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create_container, type EventContext, type Sender } from "rhea";
import { ServiceBusClient, type ServiceBusReceiver, type ServiceBusSender } from "@azure/service-bus";
import { startServiceBusBroker } from "../local/servicebus/broker";
import { parseConfig } from "../local/servicebus/config";
import { ratio, type BenchSuite } from "./suite";

const count = 10_000;
const bodyOf = (i: number) => `event ${i}`;

async function sendBatched(sender: ServiceBusSender): Promise<void> {
  let batch = await sender.createMessageBatch();
  for (let i = 0; i < count; i++) {
    const message = { body: bodyOf(i) };
    if (!batch.tryAddMessage(message)) {
      await sender.sendMessages(batch);
      batch = await sender.createMessageBatch();
      batch.tryAddMessage(message);
    }
  }
  if (batch.count) await sender.sendMessages(batch);
}

async function receiveAll(receiver: ServiceBusReceiver, complete: boolean): Promise<void> {
  let received = 0;
  while (received < count) {
    const messages = await receiver.receiveMessages(Math.min(1000, count - received), { maxWaitTimeInMs: 1000 });
    if (messages.length === 0) throw new Error(`only ${received} of ${count} messages arrived`);
    if (complete) await Promise.all(messages.map((message) => receiver.completeMessage(message)));
    received += messages.length;
  }
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

/** The same messages from a plain rhea sender to a plain rhea receiver over loopback: the floor of AMQP cost. */
async function bareTransfer(): Promise<number> {
  const server = create_container();
  let delivered = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  server.on("message", () => {
    if (++delivered === count) done();
  });
  const listener = server.listen({ port: 0, host: "127.0.0.1" }) as unknown as Server;
  await new Promise<void>((resolve) => listener.once("listening", resolve));
  const client = create_container();
  const connection = client.connect({ port: (listener.address() as AddressInfo).port, host: "127.0.0.1" });
  const rate = await timed(async () => {
    let sent = 0;
    const sender = connection.open_sender("bench");
    const pump = (context: EventContext) => {
      const link = context.sender as Sender;
      while (sent < count && link.sendable()) link.send({ body: bodyOf(sent++) });
    };
    sender.on("sendable", pump);
    await finished;
  });
  connection.close();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return rate;
}

const benchConfig = parseConfig({ UserConfig: { Namespaces: [{ Name: "bench", Queues: [{ Name: "bench", Properties: {} }] }] } });

/** Batched send then receive against a broker that writes every message to disk before acknowledging it. */
async function durableSendReceive(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "sb-bench-"));
  const broker = await startServiceBusBroker({ config: benchConfig, dataDir });
  const client = new ServiceBusClient(broker.connectionString);
  try {
    const sender = client.createSender("bench");
    const receiver = client.createReceiver("bench", { receiveMode: "receiveAndDelete" });
    return await timed(async () => {
      await sendBatched(sender);
      await receiveAll(receiver, false);
    });
  } finally {
    await client.close();
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const serviceBusSuite: BenchSuite = {
  name: "servicebus",
  async run(log) {
    const broker = await startServiceBusBroker({ config: benchConfig });
    const client = new ServiceBusClient(broker.connectionString);
    try {
      const sender = client.createSender("bench");
      const deleting = client.createReceiver("bench", { receiveMode: "receiveAndDelete" });
      const locking = client.createReceiver("bench", { maxAutoLockRenewalDurationInMs: 0 });
      await sender.sendMessages({ body: "warm-up" });
      await deleting.receiveMessages(1, { maxWaitTimeInMs: 1000 });

      const bare = await bareTransfer();
      log(`bare rhea transfer: ${bare.toFixed(0)} msgs/s`);
      const sendReceive = await timed(async () => {
        await sendBatched(sender);
        await receiveAll(deleting, false);
      });
      log(`broker, batched send then receiveAndDelete: ${sendReceive.toFixed(0)} msgs/s`);
      await sendBatched(sender);
      const peekLock = await timed(() => receiveAll(locking, true));
      log(`broker, peekLock receive + complete: ${peekLock.toFixed(0)} msgs/s`);
      const durable = await durableSendReceive();
      log(`broker with --data, batched send then receiveAndDelete: ${durable.toFixed(0)} msgs/s`);
      return [
        `${count.toLocaleString("en")} small messages over loopback (SDK @azure/service-bus against the local broker; baseline: plain rhea sender → receiver, one hop).`,
        "",
        "| measurement | msgs/s | ratio to bare rhea |",
        "| --- | ---: | ---: |",
        `| bare rhea sender → receiver | ${bare.toFixed(0)} | 1.00 |`,
        `| broker: batched send, then receive (receiveAndDelete) | ${sendReceive.toFixed(0)} | ${ratio(sendReceive, bare)} |`,
        `| broker: peekLock receive + complete | ${peekLock.toFixed(0)} | ${ratio(peekLock, bare)} |`,
        `| broker with a data directory (fsync'd log): batched send, then receive | ${durable.toFixed(0)} | ${ratio(durable, bare)} |`,
        "",
        `Goal: batched send + receive ≥ 0.33 of bare — ${sendReceive / bare >= 1 / 3 ? "met" : "NOT met"}.`,
      ];
    } finally {
      await client.close();
      await broker.stop();
    }
  },
};
