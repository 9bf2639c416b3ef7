import { PipelineError } from "../errors";
import type { RemoteExecutionContext } from "../model";
import { decodeContextJson, encodeContextJson, encodeMemberJson } from "./json";
import { decodeContextXml, encodeContextXml, encodeMemberXml } from "./xml";

/** serviceendpoint.messageformat (§D.2). */
export const MessageFormat = { BinaryXml: 1, Json: 2, TextXml: 3 } as const;
export type MessageFormat = (typeof MessageFormat)[keyof typeof MessageFormat];

/** The Service Bus ContentType Dataverse sets for each message format (§D.2). */
export const CONTENT_TYPES: Record<MessageFormat, string> = {
  [MessageFormat.BinaryXml]: "application/msbin1",
  [MessageFormat.Json]: "application/json",
  [MessageFormat.TextXml]: "application/xml",
};

/** How a format writes a context and one of its members (the size rules measure members alone). */
export interface ContextCodec {
  encode(context: RemoteExecutionContext): string;
  decode(text: string): RemoteExecutionContext;
  encodeMember(context: RemoteExecutionContext, name: string): string;
}

const CODECS: Partial<Record<MessageFormat, ContextCodec>> = {
  [MessageFormat.Json]: { encode: encodeContextJson, decode: decodeContextJson, encodeMember: encodeMemberJson },
  [MessageFormat.TextXml]: { encode: encodeContextXml, decode: decodeContextXml, encodeMember: encodeMemberXml },
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

export function encodeContext(context: RemoteExecutionContext, format: MessageFormat): { body: string; contentType: string } {
  return { body: codecFor(format).encode(context), contentType: CONTENT_TYPES[format] };
}

/** Reads a context in the given format, or the one detected from the text. */
export function decodeContext(text: string, format: MessageFormat = detectFormat(text)): RemoteExecutionContext {
  return codecFor(format).decode(text);
}
