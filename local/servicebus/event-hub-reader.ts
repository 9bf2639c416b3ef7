import { types, type Sender } from "rhea";
import type { ArrivedEvent, EventHubs } from "./event-hubs";
import { encodeSectionsOnly } from "./message";
import { flush, isDraining, linkState, queuedDeliveries } from "./rhea-internals";

const consumerAddress = /^([^/]+)\/ConsumerGroups\/[^/]+\/Partitions\/(\d+)$/i;

/** Where a reader starts, from the SDK's selector filter (`amqp.annotation.x-opt-offset > '-1'` and the like). */
export function startIndex(events: ArrivedEvent[], selector: string | undefined): number {
  if (!selector) return events.length;
  const position = /x-opt-(offset|sequence-number|enqueued-time)\s*(>=|>)\s*'?([^']*)'?/.exec(selector);
  if (!position) return events.length;
  const [, field, operator, value] = position;
  if (field === "enqueued-time") {
    const index = events.findIndex((event) => event.enqueuedTimeUtc.getTime() > Number(value));
    return index < 0 ? events.length : index;
  }
  if (value === "@latest") return events.length;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) return 0;
  return Math.min(events.length, operator === ">=" ? number : number + 1);
}

function encodeEvent(event: ArrivedEvent): Buffer {
  const { sections } = event.message;
  const annotations: Record<string, unknown> = {
    "x-opt-sequence-number": types.wrap_long(event.sequenceNumber),
    "x-opt-offset": event.offset,
    "x-opt-enqueued-time": event.enqueuedTimeUtc,
  };
  if (event.partitionKey !== undefined) annotations["x-opt-partition-key"] = event.partitionKey;
  const head = encodeSectionsOnly({ message_annotations: annotations });
  return Buffer.concat([head, sections.properties ?? Buffer.alloc(0), sections.applicationProperties ?? Buffer.alloc(0), sections.body]);
}

function selectorOf(filter: unknown): string | undefined {
  let value = (filter as Record<string, unknown> | undefined)?.["apache.org:selector-filter:string"];
  while (value && typeof value === "object" && "value" in value) value = (value as { value: unknown }).value;
  return typeof value === "string" ? value : undefined;
}

/** A consumer's link to `hub/ConsumerGroups/<group>/Partitions/<n>`: events from its start position on, pre-settled. */
export class PartitionReader {
  private position: number;
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly sender: Sender,
    private readonly events: ArrivedEvent[],
    onAppend: (listener: () => void) => () => void,
    selector: string | undefined,
  ) {
    this.position = startIndex(events, selector);
    this.unsubscribe = onAppend(() => this.pump());
  }

  /** Opens a reader for the link's source address, or returns undefined when it names no partition of a known hub. */
  static open(sender: Sender, eventHubs: EventHubs): PartitionReader | undefined {
    const source = (linkState(sender).remote.attach?.source ?? {}) as { address?: string; filter?: unknown };
    const match = consumerAddress.exec(source.address ?? "");
    const partition = match ? eventHubs.partition(match[1], match[2]) : undefined;
    if (!partition) return undefined;
    linkState(sender).local.attach.snd_settle_mode = 1;
    return new PartitionReader(sender, partition.events, partition.onAppend, selectorOf(source.filter));
  }

  /** The client granted credit (or asked to drain it). */
  onFlow(): void {
    this.pump();
    if (isDraining(this.sender) && queuedDeliveries(this.sender) === 0) {
      this.sender.set_drained(true);
      flush(this.sender.connection);
    }
  }

  private pump(): void {
    if (!this.sender.is_open()) return;
    while (this.position < this.events.length && this.sender.sendable() && linkState(this.sender).credit - queuedDeliveries(this.sender) > 0) {
      this.sender.send(encodeEvent(this.events[this.position++]), undefined, 0);
    }
  }

  close(): void {
    this.unsubscribe();
  }
}
