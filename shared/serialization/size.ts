import { PipelineError } from "../errors";
import type { RemoteExecutionContext } from "../model";
import { DROPPABLE_MEMBERS } from "./contracts";
import { codecFor, type MessageFormat } from "./format";
import { joinEncoded } from "./parts";

/** Body size limits of the channels (§G), in bytes. */
export const SIZE_LIMITS = { serviceBus: 192 * 1024, webhook: 256 * 1024 } as const;
export type SizeLimitedChannel = keyof typeof SIZE_LIMITS;

/** Service Bus application property set on a truncated message (§E.2). */
export const MESSAGE_MAX_SIZE_EXCEEDED_PROPERTY = "MessageMaxSizeExceeded";
/** Webhook request header set on a truncated body (§H). */
export const WEBHOOK_SIZE_EXCEEDED_HEADER = "x-ms-dynamics-msg-size-exceeded";

export interface FittedBody {
  body: string;
  bytes: number;
  /** True when the members below were emptied to fit. */
  truncated: boolean;
  droppedMembers: string[];
}

export interface SizeEstimate {
  /** The encoded body's size. */
  bytes: number;
  /** Its size with ParentContext, InputParameters, PreEntityImages and PostEntityImages emptied. */
  truncatedBytes: number;
}

const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");

/** The context with the droppable members emptied (ParentContext null, the collections empty). */
export function withoutDroppableMembers(context: RemoteExecutionContext): RemoteExecutionContext {
  return { ...context, parentContext: null, inputParameters: new Map(), preEntityImages: new Map(), postEntityImages: new Map() };
}

/**
 * Sizes from one encoding: the body is measured as the sum of its root members, so what the droppable
 * members weigh is known without encoding them (or the context) again; only their small emptied forms
 * (`null`, `[]`) are encoded to subtract.
 */
export function estimateSize(context: RemoteExecutionContext, format: MessageFormat, encoded = codecFor(format).encodeParts(context)): SizeEstimate {
  const codec = codecFor(format);
  const emptied = withoutDroppableMembers(context);
  const droppable = new Set<string>(DROPPABLE_MEMBERS);
  const separators = Math.max(encoded.members.length - 1, 0) * byteLength(encoded.separator);
  let bytes = byteLength(encoded.open) + byteLength(encoded.close) + separators;
  let saved = 0;
  for (const member of encoded.members) {
    const memberBytes = byteLength(member.text);
    bytes += memberBytes;
    if (droppable.has(member.name)) saved += memberBytes - byteLength(codec.encodeMember(emptied, member.name));
  }
  return { bytes, truncatedBytes: bytes - saved };
}

/**
 * The body to send on a channel (§G): as is when it fits; otherwise without ParentContext, InputParameters,
 * PreEntityImages and PostEntityImages, reported as truncated; still too large → MessageTooLarge, nothing to send.
 */
export function fitToLimit(context: RemoteExecutionContext, format: MessageFormat, limitBytes: number): FittedBody {
  const codec = codecFor(format);
  const encoded = codec.encodeParts(context);
  const { bytes, truncatedBytes } = estimateSize(context, format, encoded);
  if (bytes <= limitBytes) return { body: joinEncoded(encoded), bytes, truncated: false, droppedMembers: [] };
  if (truncatedBytes > limitBytes) {
    throw new PipelineError(
      "MessageTooLarge",
      `the execution context is ${bytes} bytes, and ${truncatedBytes} bytes without ParentContext, InputParameters and images: over the limit of ${limitBytes} bytes`,
    );
  }
  return { body: codec.encode(withoutDroppableMembers(context)), bytes: truncatedBytes, truncated: true, droppedMembers: [...DROPPABLE_MEMBERS] };
}

export function fitToChannel(context: RemoteExecutionContext, format: MessageFormat, channel: SizeLimitedChannel): FittedBody {
  return fitToLimit(context, format, SIZE_LIMITS[channel]);
}
