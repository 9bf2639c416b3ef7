import { message as amqp, types } from "rhea";

type Message = ReturnType<typeof amqp.decode>;
import { splitSections, type RawSections } from "./sections";

/** Service Bus message states, as carried in the `x-opt-message-state` annotation. */
export const MessageState = { active: 0, deferred: 1, scheduled: 2 } as const;
export type MessageStateCode = (typeof MessageState)[keyof typeof MessageState];

/** A message as the broker keeps it: the sender's sections byte-for-byte, plus what the broker assigned. */
export interface StoredMessage {
  sequenceNumber: number;
  enqueuedTimeUtc: number;
  /** Times the message was handed out under a lock (the header's delivery count is this minus one). */
  deliveryCount: number;
  state: MessageStateCode;
  scheduledEnqueueTimeUtc?: number;
  expiresAtUtc?: number;
  deadLetterSource?: string;
  /** Times the message was auto-forwarded (Service Bus allows 4 hops). */
  forwardHops?: number;
  sections: Omit<RawSections, "header">;
  header: { durable?: boolean; priority?: number; ttl?: number };
}

export interface MessageView {
  messageId?: string;
  sessionId?: string;
  properties: Record<string, unknown>;
  applicationProperties: Record<string, unknown>;
  annotations: Record<string, unknown>;
}

// keyed by the sections object, which copies of a message (one per subscription) share
const views = new WeakMap<object, MessageView>();

/** Decoded properties, application properties and annotations (cached; the stored bytes stay authoritative). */
export function viewOf(message: StoredMessage): MessageView {
  let view = views.get(message.sections);
  if (!view) {
    const { properties, applicationProperties, messageAnnotations } = message.sections;
    const decoded = amqp.decode(Buffer.concat([properties ?? Buffer.alloc(0), applicationProperties ?? Buffer.alloc(0), messageAnnotations ?? Buffer.alloc(0)]));
    const props = propertiesOf(decoded);
    view = {
      messageId: props.message_id === undefined || props.message_id === null ? undefined : idToString(props.message_id),
      sessionId: typeof props.group_id === "string" ? props.group_id : undefined,
      properties: props,
      applicationProperties: (decoded.application_properties as Record<string, unknown> | undefined) ?? {},
      annotations: (decoded.message_annotations as Record<string, unknown> | undefined) ?? {},
    };
    views.set(message.sections, view);
  }
  return view;
}

const propertyNames = ["message_id", "user_id", "to", "subject", "reply_to", "correlation_id", "content_type", "content_encoding", "absolute_expiry_time", "creation_time", "group_id", "group_sequence", "reply_to_group_id"] as const;

function propertiesOf(decoded: Message): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const name of propertyNames) if (decoded[name] !== undefined) result[name] = decoded[name];
  return result;
}

export function idToString(id: unknown): string {
  if (Buffer.isBuffer(id)) return id.length === 16 ? formatUuid(id) : id.toString("hex");
  return String(id);
}

export function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What arrived from a sender, before the broker assigns a sequence number. */
export interface IncomingMessage {
  sections: RawSections;
  header: StoredMessage["header"];
}

/** Parses one encoded message; gives it a message id when it has none (Service Bus does the same). */
export function parseIncoming(encoded: Buffer): IncomingMessage {
  let sections = splitSections(encoded);
  const decodedHeader = sections.header ? amqp.decode(sections.header) : undefined;
  const decodedProperties = sections.properties ? amqp.decode(sections.properties) : undefined;
  if (decodedProperties?.message_id === undefined || decodedProperties.message_id === null) {
    const properties = { ...(decodedProperties ? propertiesOf(decodedProperties) : {}), message_id: crypto.randomUUID().replace(/-/g, "") };
    sections = { ...sections, properties: encodeSectionsOnly(properties) };
  }
  return {
    sections,
    header: decodedHeader ? { durable: decodedHeader.durable, priority: decodedHeader.priority, ttl: decodedHeader.ttl } : {},
  };
}

/** Encodes header/property/annotation fields without the null body rhea would add (00 53 77 40). */
export function encodeSectionsOnly(fields: Record<string, unknown>): Buffer {
  const encoded = amqp.encode(fields);
  return encoded.subarray(0, encoded.length - 4);
}

export function encodeApplicationProperties(applicationProperties: Record<string, unknown>): Buffer {
  return encodeSectionsOnly({ application_properties: applicationProperties });
}

/** Returns a copy of the message whose application properties are merged with `changes`. */
export function withApplicationProperties(message: StoredMessage, changes: Record<string, unknown>): StoredMessage {
  const merged = { ...viewOf(message).applicationProperties, ...changes };
  return { ...message, sections: { ...message.sections, applicationProperties: encodeApplicationProperties(merged) } };
}

export interface DeliveryAnnotations {
  lockedUntilUtc?: number;
}

/** Encodes the message as a receiver gets it: a fresh header and annotations, then the sender's bare message. */
export function encodeForDelivery(message: StoredMessage, delivery: DeliveryAnnotations = {}): Buffer {
  const annotations: Record<string, unknown> = {
    ...viewOf(message).annotations,
    "x-opt-sequence-number": types.wrap_long(message.sequenceNumber),
    "x-opt-enqueue-sequence-number": types.wrap_long(message.sequenceNumber),
    "x-opt-enqueued-time": new Date(message.enqueuedTimeUtc),
    "x-opt-message-state": types.wrap_int(message.state),
  };
  if (delivery.lockedUntilUtc !== undefined) annotations["x-opt-locked-until"] = new Date(delivery.lockedUntilUtc);
  if (message.scheduledEnqueueTimeUtc !== undefined) annotations["x-opt-scheduled-enqueue-time"] = new Date(message.scheduledEnqueueTimeUtc);
  if (message.deadLetterSource !== undefined) annotations["x-opt-deadletter-source"] = message.deadLetterSource;
  const head = encodeSectionsOnly({
    durable: message.header.durable,
    priority: message.header.priority,
    ttl: message.header.ttl,
    delivery_count: Math.max(0, message.deliveryCount - 1),
    message_annotations: annotations,
  });
  const { properties, applicationProperties, body } = message.sections;
  return Buffer.concat([head, properties ?? Buffer.alloc(0), applicationProperties ?? Buffer.alloc(0), body]);
}

/** The scheduled enqueue time the sender asked for, if any. */
export function requestedSchedule(message: StoredMessage): number | undefined {
  const value = viewOf(message).annotations["x-opt-scheduled-enqueue-time"];
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value;
  return undefined;
}
