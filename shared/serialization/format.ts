import { PipelineError } from "../errors";
import type { RemoteExecutionContext } from "../model";
import { decodeContextJson, encodeContextJson, encodeContextJsonParts, encodeMemberJson } from "./json";
import type { EncodedContext } from "./parts";
import { decodeContextXml, encodeContextXml, encodeContextXmlParts, encodeMemberXml } from "./xml";

/** serviceendpoint.messageformat (§D.2). */
export const MessageFormat = { BinaryXml: 1, Json: 2, TextXml: 3 } as const;
export type MessageFormat = (typeof MessageFormat)[keyof typeof MessageFormat];

/** The Service Bus ContentType Dataverse sets for each message format (§D.2). */
export const CONTENT_TYPES: Record<MessageFormat, string> = {
  [MessageFormat.BinaryXml]: "application/msbin1",
  [MessageFormat.Json]: "application/json",
  [MessageFormat.TextXml]: "application/xml",
};

/** How a format writes a context, as a whole or as its root members (the size rules weigh members). */
export interface ContextCodec {
  encode(context: RemoteExecutionContext): string;
  encodeParts(context: RemoteExecutionContext): EncodedContext;
  encodeMember(context: RemoteExecutionContext, name: string): string;
  decode(text: string): RemoteExecutionContext;
}

const CODECS: Partial<Record<MessageFormat, ContextCodec>> = {
  [MessageFormat.Json]: { encode: encodeContextJson, encodeParts: encodeContextJsonParts, encodeMember: encodeMemberJson, decode: decodeContextJson },
  [MessageFormat.TextXml]: {
    encode: encodeContextXml,
    encodeParts: encodeContextXmlParts,
    encodeMember: encodeMemberXml,
    decode: decodeContextXml,
  },
};

export function codecFor(format: MessageFormat): ContextCodec {
  const codec = CODECS[format];
  if (!codec) throw new PipelineError("ValidationFailed", `message format ${format} (.NET Binary XML) is not supported; use 2 (Json) or 3 (Text XML)`);
  return codec;
}

/** Json or Text XML, by the first significant character; anything else is InvalidFormat. */
export function detectFormat(text: string): MessageFormat {
  const first = /[^\s\ufeff]/.exec(text)?.[0];
  if (first === "{") return MessageFormat.Json;
  if (first === "<") return MessageFormat.TextXml;
  throw new PipelineError("InvalidFormat", first === undefined ? "the input is empty" : "the input is neither JSON nor XML", { path: "$" });
}

/** Reads a context (text or UTF-8 bytes, e.g. a message body) in the given format, or the one detected. */
export function decodeContext(body: string | Uint8Array, format?: MessageFormat): RemoteExecutionContext {
  const text = typeof body === "string" ? body : utf8(body);
  return codecFor(format ?? detectFormat(text)).decode(text);
}

function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new PipelineError("InvalidFormat", "the body is not UTF-8 text", { path: "$", cause: error });
  }
}
