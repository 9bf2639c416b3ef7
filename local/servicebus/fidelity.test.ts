import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create_container, message as amqp, types, type EventContext } from "rhea";
import { ServiceBusClient, type ServiceBusMessageBatch } from "@azure/service-bus";
import { rawBytesOf } from "./raw-capture";
import { splitSections } from "./sections";
import { brokerWithClient, emulatorConfig } from "./test-support";

const config = emulatorConfig(
  { Queues: [{ Name: "exact", Properties: {} }] },
  { LocalBroker: { SharedAccessKeys: [{ Name: "sender", Key: "c2VjcmV0LWtleS1mb3ItdGVzdHM=" }] } },
);

let env: Awaited<ReturnType<typeof brokerWithClient>>;
beforeAll(async () => {
  env = await brokerWithClient({ config });
});
afterAll(async () => {
  await env?.close();
});

function bareBytes(encoded: Buffer): Buffer {
  const { properties, applicationProperties, body } = splitSections(encoded);
  return Buffer.concat([properties ?? Buffer.alloc(0), applicationProperties ?? Buffer.alloc(0), body]);
}

/** Sends one pre-encoded message with a plain AMQP client and returns the bytes a plain receiver gets. */
async function roundTrip(port: number, encoded: Buffer): Promise<Buffer> {
  const container = create_container();
  const connection = container.connect({ port, host: "127.0.0.1" });
  try {
    const received = new Promise<Buffer>((resolve) => {
      const receiver = connection.open_receiver({ source: "exact", autoaccept: true });
      receiver.on("message", (context: EventContext) => resolve(rawBytesOf(context.message as object) as Buffer));
    });
    const sender = connection.open_sender("exact");
    await new Promise<void>((resolve) => sender.once("sendable", () => resolve()));
    sender.send(encoded, undefined, 0);
    return await received;
  } finally {
    connection.close();
  }
}

describe("fidelity", () => {
  it("forwards properties, application properties and body byte for byte", async () => {
    const encoded = amqp.encode({
      message_id: types.wrap_ulong(42),
      correlation_id: Buffer.from("correlation bytes"),
      content_type: "application/json",
      subject: "précis ✓",
      reply_to: "dataverse-replies",
      group_id: undefined,
      application_properties: { int: 7, long: types.wrap_long(2 ** 40), double: 1.5, flag: false, when: new Date(1_700_000_000_000), none: null, text: "ünïcødé" },
      body: amqp.data_sections([Buffer.from([0, 1, 2, 255]), Buffer.from("second section")]),
    });
    const received = await roundTrip(env.broker.port, encoded);
    expect(bareBytes(received).equals(bareBytes(encoded))).toBe(true);
  });

  it("gives the SDK back what it sent, through batches too", async () => {
    const sent: Parameters<ServiceBusMessageBatch["tryAddMessage"]>[0][] = [
      { body: [1, "two", { three: 3 }], bodyType: "sequence", applicationProperties: { source: "test", count: 3 } },
      { body: Buffer.from("raw bytes"), bodyType: "data", properties: { messageId: "m-bytes", contentType: "application/octet-stream" } },
      { body: { json: true }, bodyType: "value", properties: { messageId: "m-value", correlationId: "c-1", to: "somewhere", replyTo: "back" } },
    ];
    const sender = env.client.createSender("exact");
    const batch = await sender.createMessageBatch();
    for (const message of sent) batch.tryAddMessage(message);
    await sender.sendMessages(batch);
    const receiver = env.client.createReceiver("exact", { receiveMode: "receiveAndDelete" });
    const received = await receiver.receiveMessages(3, { maxWaitTimeInMs: 1000 });
    expect(received.map((message) => message.body)).toEqual([[1, "two", { three: 3 }], Buffer.from("raw bytes"), { json: true }]);
    expect(received.map((message) => message._rawAmqpMessage.bodyType)).toEqual(["sequence", "data", "value"]);
    expect(received[0].applicationProperties).toEqual({ source: "test", count: 3 });
    expect(received[1]._rawAmqpMessage.properties).toMatchObject({ messageId: "m-bytes", contentType: "application/octet-stream" });
    expect(received[2]._rawAmqpMessage.properties).toMatchObject({ messageId: "m-value", correlationId: "c-1", to: "somewhere", replyTo: "back" });
    await Promise.all([receiver.close(), sender.close()]);
  });

  it("gives a message without a message id one", async () => {
    const encoded = amqp.encode({ body: "anonymous" });
    const received = amqp.decode(await roundTrip(env.broker.port, encoded));
    expect(typeof received.message_id).toBe("string");
    expect(received.body).toBe("anonymous");
  });

  it("refuses a token signed with a wrong key, as Service Bus does", async () => {
    const wrong = new ServiceBusClient(env.broker.connectionString.replace(/SharedAccessKey=[^;]+/, "SharedAccessKey=d3Jvbmc="), { retryOptions: { maxRetries: 0, timeoutInMs: 5000 } });
    const sender = wrong.createSender("exact");
    await expect(sender.sendMessages({ body: "x" })).rejects.toMatchObject({ code: "UnauthorizedAccess" });
    await wrong.close();
  });
});

describe("size", () => {
  it("carries a body larger than one frame intact, and refuses one over the link's max_message_size", async () => {
    const large = Buffer.alloc(200 * 1024, 7);
    large.write("start");
    const sender = env.client.createSender("exact");
    await sender.sendMessages({ body: large });
    const receiver = env.client.createReceiver("exact", { receiveMode: "receiveAndDelete" });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(Buffer.compare(message.body as Buffer, large)).toBe(0);
    await expect(sender.sendMessages({ body: Buffer.alloc(300 * 1024) })).rejects.toMatchObject({ code: "MessageSizeExceeded" });
    await Promise.all([receiver.close(), sender.close()]);
  });
});
