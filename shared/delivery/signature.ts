import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Origin signature of webhook and REST posts, so that a receiver can tell a post came from this service
 * and refuse replays. Not part of Dataverse; sent only when the endpoint has a `signingsecret`.
 *
 * signed text = `${messageId}.${timestamp}.${body}`, messageId = `postMessageId(context)` (the OperationId of an asynchronous job),
 * timestamp = Unix seconds, signature header = `v1=` + lowercase hex HMAC-SHA256(secret, signed text).
 */
export const SignatureHeaders = {
  messageId: "x-pipeline-message-id",
  timestamp: "x-pipeline-timestamp",
  signature: "x-pipeline-signature",
} as const;

const VERSION = "v1";
/** How far a timestamp may be from the receiver's clock before the post counts as a replay. */
export const DEFAULT_SIGNATURE_TOLERANCE_IN_SECONDS = 300;

function hmac(secret: string, messageId: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac("sha256", secret).update(`${messageId}.${timestamp}.`).update(body).digest();
}

/** The three headers to add to a post. */
export function signPost(secret: string, messageId: string, body: string | Uint8Array, nowInMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowInMs / 1000));
  return {
    [SignatureHeaders.messageId]: messageId,
    [SignatureHeaders.timestamp]: timestamp,
    [SignatureHeaders.signature]: `${VERSION}=${hmac(secret, messageId, timestamp, body).toString("hex")}`,
  };
}

export type SignatureCheck =
  | { valid: true; messageId: string; timestamp: number }
  | { valid: false; reason: "missing" | "malformed" | "mismatch" | "expired" };

export interface VerifySignatureOptions {
  /** Default 300 s. */
  toleranceInSeconds?: number;
  nowInMs?: number;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * For receivers: checks a post's signature against the raw body (exactly the bytes received, before any
 * JSON parsing) and refuses timestamps outside the tolerance. Remember the message ids you accepted
 * within the tolerance window to refuse an exact replay inside it as well.
 */
export function verifyPostSignature(
  headers: HeaderSource,
  body: string | Uint8Array,
  secret: string,
  options: VerifySignatureOptions = {},
): SignatureCheck {
  const messageId = header(headers, SignatureHeaders.messageId);
  const timestamp = header(headers, SignatureHeaders.timestamp);
  const signature = header(headers, SignatureHeaders.signature);
  if (!messageId || !timestamp || !signature) return { valid: false, reason: "missing" };
  const match = /^v1=([0-9a-f]{64})$/.exec(signature);
  if (!match || !/^\d+$/.test(timestamp)) return { valid: false, reason: "malformed" };
  const expected = hmac(secret, messageId, timestamp, body);
  if (!timingSafeEqual(expected, Buffer.from(match[1], "hex"))) return { valid: false, reason: "mismatch" };
  const tolerance = options.toleranceInSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_IN_SECONDS;
  const ageInSeconds = Math.abs((options.nowInMs ?? Date.now()) / 1000 - Number(timestamp));
  if (ageInSeconds > tolerance) return { valid: false, reason: "expired" };
  return { valid: true, messageId, timestamp: Number(timestamp) };
}
