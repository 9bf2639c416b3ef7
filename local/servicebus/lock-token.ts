import { randomUUID } from "node:crypto";
import { formatUuid } from "./message";

/** A lock token: its string form (as the SDK reports and sends it) and the delivery tag that carries it. */
export interface LockToken {
  token: string;
  tag: Buffer;
}

/** The SDK reads the 16-byte delivery tag as a .NET GUID: the first three groups are byte-swapped. */
export function newLockToken(): LockToken {
  const token = randomUUID();
  const canonical = Buffer.from(token.replace(/-/g, ""), "hex");
  const tag = Buffer.from([canonical[3], canonical[2], canonical[1], canonical[0], canonical[5], canonical[4], canonical[7], canonical[6], ...canonical.subarray(8)]);
  return { token, tag };
}

/** Lock tokens arrive in management requests as AMQP uuids (16 bytes, canonical order) or strings. */
export function lockTokenToString(value: unknown): string {
  if (Buffer.isBuffer(value) && value.length === 16) return formatUuid(value);
  return String(value).toLowerCase();
}
