import { message as amqp } from "rhea";
import type { Journal } from "./journal";
import type { IncomingMessage, StoredMessage } from "./message";

/** Journal paths of Event Hubs partitions start with this (no queue or topic name can). */
export const eventHubsJournalPrefix = "$eventhubs/";

/** An event as it arrived at the local Event Hubs endpoint. */
export interface ArrivedEvent {
  hub: string;
  partitionId: string;
  sequenceNumber: number;
  offset: string;
  enqueuedTimeUtc: Date;
  partitionKey?: string;
  /** The body as sent: a Buffer for a data section (the SDK's encoding of strings and JSON), else the AMQP value. */
  body: unknown;
  applicationProperties: Record<string, unknown>;
  messageId?: unknown;
  contentType?: string;
  /** The sender's message, as it is handed to consumers. */
  readonly message: IncomingMessage;
}

interface Hub {
  name: string;
  createdAtUtc: Date;
  partitions: ArrivedEvent[][];
  nextPartition: number;
}

export interface EventHubsManagementResponse {
  statusCode: number;
  description: string;
  body?: unknown;
}

function partitionFor(key: string, count: number): number {
  let hash = 0;
  for (const char of key) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % count;
}

/**
 * Event Hubs in memory: hub and partition properties over `$management`, sends to a hub or to
 * `hub/Partitions/N`, and partition readers (see event-hub-reader.ts); tests can also read what arrived.
 */
export class EventHubs {
  private readonly hubs = new Map<string, Hub>();
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(
    hubs: { name: string; partitionCount: number }[],
    private readonly autoCreate: boolean,
    private readonly journal: Journal,
  ) {
    for (const hub of hubs) this.add(hub.name, hub.partitionCount);
  }

  add(name: string, partitionCount = 2): void {
    this.hubs.set(name.toLowerCase(), { name, createdAtUtc: new Date(), partitions: Array.from({ length: partitionCount }, () => []), nextPartition: 0 });
  }

  has(address: string): boolean {
    return this.hubs.has(address.split("/")[0].toLowerCase());
  }

  /** The hub (and partition) an address names, or undefined when it is not an event hub. */
  resolve(address: string): { hub: string; partition?: string } | undefined {
    const [name, partitions, partition] = address.split("/");
    const hub = this.hubs.get(name.toLowerCase());
    if (!hub) return undefined;
    if (partitions?.toLowerCase() === "partitions" && partition !== undefined) {
      if (!(Number(partition) >= 0 && Number(partition) < hub.partitions.length)) return undefined;
      return { hub: hub.name, partition };
    }
    return address.includes("/") ? undefined : { hub: hub.name };
  }

  append(hubName: string, partition: string | undefined, messages: IncomingMessage[]): void {
    const hub = this.hubs.get(hubName.toLowerCase()) as Hub;
    for (const incoming of messages) this.store(hub, partition, incoming, new Date(), false);
  }

  /** Puts back a journaled event on recovery; `path` is `$eventhubs/<hub>/<partition>`. */
  restore(path: string, message: StoredMessage): void {
    const [, hubName, partition] = path.split("/");
    const hub = this.hubs.get(hubName.toLowerCase());
    if (!hub) throw new Error(`event hub '${hubName}' is no longer configured`);
    this.store(hub, partition, { sections: message.sections, header: message.header }, new Date(message.enqueuedTimeUtc), true);
  }

  private store(hub: Hub, partition: string | undefined, incoming: IncomingMessage, enqueuedTimeUtc: Date, restoring: boolean): void {
    const { properties, applicationProperties, messageAnnotations, body } = incoming.sections;
    const decoded = amqp.decode(Buffer.concat([messageAnnotations ?? Buffer.alloc(0), properties ?? Buffer.alloc(0), applicationProperties ?? Buffer.alloc(0), body]));
    const partitionKey = decoded.message_annotations?.["x-opt-partition-key"] as string | undefined;
    const index = partition !== undefined ? Number(partition) : partitionKey !== undefined ? partitionFor(partitionKey, hub.partitions.length) : hub.nextPartition++ % hub.partitions.length;
    const events = hub.partitions[index];
    if (!events) throw new Error(`event hub '${hub.name}' has no partition ${index}`);
    const rawBody = decoded.body as { typecode?: number; content?: unknown } | undefined;
    events.push({
      hub: hub.name,
      partitionId: String(index),
      sequenceNumber: events.length,
      offset: String(events.length),
      enqueuedTimeUtc,
      partitionKey,
      body: rawBody && rawBody.typecode === 0x75 ? rawBody.content : decoded.body,
      applicationProperties: (decoded.application_properties as Record<string, unknown> | undefined) ?? {},
      messageId: decoded.message_id,
      contentType: decoded.content_type,
      message: incoming,
    });
    if (!restoring) {
      this.journal.putMessage(`${eventHubsJournalPrefix}${hub.name}/${index}`, { sequenceNumber: events.length - 1, enqueuedTimeUtc: enqueuedTimeUtc.getTime(), deliveryCount: 0, state: 0, sections: incoming.sections, header: incoming.header });
    }
    for (const listener of this.listeners.get(`${hub.name.toLowerCase()}/${index}`) ?? []) listener();
  }

  /** The events of one partition (live array) and a way to hear of new ones; undefined for an unknown partition. */
  partition(hubName: string, partitionId: string): { events: ArrivedEvent[]; onAppend(listener: () => void): () => void } | undefined {
    const hub = this.hubs.get(hubName.toLowerCase());
    const events = hub?.partitions[Number(partitionId)];
    if (!hub || !events) return undefined;
    const key = `${hub.name.toLowerCase()}/${Number(partitionId)}`;
    return {
      events,
      onAppend: (listener) => {
        if (!this.listeners.has(key)) this.listeners.set(key, new Set());
        this.listeners.get(key)?.add(listener);
        return () => this.listeners.get(key)?.delete(listener);
      },
    };
  }

  /** What arrived at a hub (optionally one partition), in partition then sequence order. */
  events(hubName: string, partitionId?: string): ArrivedEvent[] {
    const hub = this.hubs.get(hubName.toLowerCase());
    if (!hub) return [];
    return hub.partitions.flat().filter((event) => partitionId === undefined || event.partitionId === partitionId);
  }

  management(properties: Record<string, unknown>): EventHubsManagementResponse {
    const name = String(properties.name ?? "");
    let hub = this.hubs.get(name.toLowerCase());
    if (!hub && this.autoCreate && name) {
      this.add(name);
      hub = this.hubs.get(name.toLowerCase());
    }
    if (properties.operation !== "READ") return { statusCode: 501, description: `operation '${String(properties.operation)}' is not supported` };
    if (!hub) return { statusCode: 404, description: `The messaging entity '${name}' could not be found.` };
    if (properties.type === "com.microsoft:eventhub") {
      return { statusCode: 200, description: "OK", body: { name: hub.name, type: "com.microsoft:eventhub", created_at: hub.createdAtUtc, partition_count: hub.partitions.length, partition_ids: hub.partitions.map((_, index) => String(index)) } };
    }
    const index = Number(properties.partition);
    const events = hub.partitions[index];
    if (!events) return { statusCode: 404, description: `The partition '${String(properties.partition)}' does not exist.` };
    const last = events[events.length - 1];
    return {
      statusCode: 200,
      description: "OK",
      body: {
        name: hub.name,
        type: "com.microsoft:partition",
        partition: String(index),
        begin_sequence_number: 0,
        last_enqueued_sequence_number: last ? last.sequenceNumber : -1,
        last_enqueued_offset: last ? last.offset : "-1",
        last_enqueued_time_utc: last ? last.enqueuedTimeUtc : new Date(0),
        is_partition_empty: events.length === 0,
      },
    };
  }
}
