import { createHash } from "node:crypto";
import { PipelineError } from "../errors";

/** A GUID in Dataverse's canonical text form: 8-4-4-4-12 lower-case hex digits. */
export type Guid = string;

export const EMPTY_GUID: Guid = "00000000-0000-0000-0000-000000000000";

const GUID_PATTERN = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

export function isGuid(text: string): boolean {
  return GUID_PATTERN.test(text);
}

/** 1 for the lower-case hex digits' character codes. */
const LOWER_HEX = new Uint8Array(128);
for (const digit of "0123456789abcdef") LOWER_HEX[digit.charCodeAt(0)] = 1;

/** True for the canonical form: 36 characters, lower-case hex, dashes at 8, 13, 18, 23 (checked often: kept cheap). */
function isCanonical(text: string): boolean {
  if (text.length !== 36) return false;
  if (text.charCodeAt(8) !== 45 || text.charCodeAt(13) !== 45 || text.charCodeAt(18) !== 45 || text.charCodeAt(23) !== 45) return false;
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) continue;
    const code = text.charCodeAt(i);
    if (code > 127 || LOWER_HEX[code] !== 1) return false;
  }
  return true;
}

/**
 * Canonical GUIDs checked lately: the same few (organization, users, correlation, request) are checked for
 * every context of a request and each of its steps, and a lookup costs less than a check. Emptied when full.
 */
const recentCanonical = new Set<string>();
const RECENT_CANONICAL_LIMIT = 1024;

/** Lower-cases a GUID (braces dropped); undefined for anything that is not one. */
export function tryNormalizeGuid(text: string): Guid | undefined {
  if (text === EMPTY_GUID || recentCanonical.has(text)) return text;
  if (isCanonical(text)) {
    if (recentCanonical.size >= RECENT_CANONICAL_LIMIT) recentCanonical.clear();
    recentCanonical.add(text);
    return text;
  }
  const match = GUID_PATTERN.exec(text);
  return match ? match[1].toLowerCase() : undefined;
}

/** Lower-cases a GUID (braces dropped); throws InvalidFormat for anything else. */
export function normalizeGuid(text: string, path?: string): Guid {
  const guid = tryNormalizeGuid(text);
  if (guid === undefined) throw new PipelineError("InvalidFormat", `"${text}" is not a GUID`, { path });
  return guid;
}

/** A random version-4 GUID. */
export function newGuid(): Guid {
  return crypto.randomUUID();
}

/** A name-based GUID (RFC 9562 version 5: SHA-1 of the parts, in order): the same parts always give the same id. */
export function nameBasedGuid(...parts: (string | Buffer)[]): Guid {
  const hash = createHash("sha1");
  for (const part of parts) hash.update(part);
  const bytes = hash.digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
