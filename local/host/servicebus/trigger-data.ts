import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import type { RpcTypedData } from "../core-types";

/**
 * A message body as the Node worker receives it. `asBytes` (the binding's `dataType` "binary" or "stream", see
 * wantsBytes): the Functions host binds the trigger to byte[], so the function gets the body's bytes (a Buffer)
 * untouched; otherwise text (which the Functions Node library JSON-parses when it can) or, for bytes that are
 * not UTF-8, bytes.
 */
export function bodyData(body: unknown, asBytes = false): RpcTypedData {
  if (asBytes) return { bytes: bodyBytes(body) };
  if (typeof body === "string") return { string: body };
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    const text = Buffer.from(body).toString("utf8");
    return Buffer.from(text, "utf8").equals(Buffer.from(body)) ? { string: text } : { bytes: body };
  }
  return { json: JSON.stringify(body ?? null) };
}

/** Whether a trigger binding's `dataType` asks for the body's bytes (decided once per function, not per message). */
export const wantsBytes = (dataType: unknown): boolean => typeof dataType === "string" && ["binary", "stream"].includes(dataType.toLowerCase());

/** Receivers skip the SDK's JSON parsing, so a data-section body is its bytes; other AMQP bodies are encoded. */
function bodyBytes(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  return Buffer.from(typeof body === "string" ? body : JSON.stringify(body ?? null), "utf8");
}

const iso = (date: Date | undefined) => (date ? date.toISOString() : undefined);

/** One message's binding data, named as the Service Bus extension names it (the library camel-cases the keys). */
function messageMetadata(message: ServiceBusReceivedMessage): Record<string, unknown> {
  const applicationProperties = message.applicationProperties ?? {};
  return {
    MessageId: message.messageId === undefined ? undefined : String(message.messageId),
    // The extension reports deliveries counted from 1 (the AMQP header counts earlier failed attempts).
    DeliveryCount: (message.deliveryCount ?? 0) + 1,
    EnqueuedTimeUtc: iso(message.enqueuedTimeUtc),
    ExpiresAtUtc: iso(message.expiresAtUtc),
    LockedUntil: iso(message.lockedUntilUtc),
    LockToken: message.lockToken,
    SequenceNumber: message.sequenceNumber === undefined ? undefined : Number(message.sequenceNumber.toString()),
    ContentType: message.contentType,
    CorrelationId: message.correlationId === undefined ? undefined : String(message.correlationId),
    Subject: message.subject,
    Label: message.subject,
    To: message.to,
    ReplyTo: message.replyTo,
    ReplyToSessionId: message.replyToSessionId,
    SessionId: message.sessionId,
    PartitionKey: message.partitionKey,
    DeadLetterSource: message.deadLetterSource,
    ApplicationProperties: applicationProperties,
    UserProperties: applicationProperties,
  };
}

function typed(value: unknown): RpcTypedData {
  if (typeof value === "string") return { string: value };
  if (typeof value === "number" && Number.isInteger(value)) return { int: value };
  return { json: JSON.stringify(value) };
}

function toTypedRecord(values: Record<string, unknown>): Record<string, RpcTypedData> {
  const record: Record<string, RpcTypedData> = {};
  for (const [name, value] of Object.entries(values)) if (value !== undefined) record[name] = typed(value);
  return record;
}

/** One message: its body (as bytes when `asBytes`, see wantsBytes), and its metadata. */
export function singleMessageInput(message: ServiceBusReceivedMessage, asBytes = false): { data: RpcTypedData; metadata: Record<string, RpcTypedData> } {
  return { data: bodyData(message.body, asBytes), metadata: toTypedRecord(messageMetadata(message)) };
}

/** cardinality "many": an array of bodies, and each metadata field as `<Name>Array` (a binding's `dataType` is not applied to batches). */
export function batchInput(messages: ServiceBusReceivedMessage[]): { data: RpcTypedData; metadata: Record<string, RpcTypedData> } {
  const bodies = messages.map((message) => {
    const data = bodyData(message.body);
    if (typeof data.string === "string") {
      try {
        return JSON.parse(data.string) as unknown;
      } catch {
        return data.string;
      }
    }
    return data.json !== undefined && data.json !== null ? (JSON.parse(data.json) as unknown) : Buffer.from(data.bytes ?? []).toString("base64");
  });
  const perMessage = messages.map(messageMetadata);
  const arrays: Record<string, unknown> = {};
  for (const name of Object.keys(perMessage[0] ?? {})) arrays[`${name}Array`] = perMessage.map((metadata) => metadata[name] ?? null);
  return { data: { json: JSON.stringify(bodies) }, metadata: toTypedRecord(arrays) };
}
