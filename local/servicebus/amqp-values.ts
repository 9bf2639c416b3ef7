import { types } from "rhea";

/** A sequence number as rhea decodes an AMQP long: a number, or 8 big-endian bytes when beyond 2^53. */
export function toSequenceNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (Buffer.isBuffer(value) && value.length === 8) return Number(value.readBigInt64BE(0));
  if (value && typeof value === "object" && "value" in value) return toSequenceNumber((value as { value: unknown }).value);
  throw new TypeError(`not a sequence number: ${String(value)}`);
}

export function toSequenceNumbers(value: unknown): number[] {
  return Array.isArray(value) ? value.map(toSequenceNumber) : [toSequenceNumber(value)];
}

export function longArray(values: number[]): unknown {
  return types.wrap_array(values, 0x81, undefined);
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Buffer.isBuffer(value) ? (value as Record<string, unknown>) : {};
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
