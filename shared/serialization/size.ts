import { PipelineError } from "../errors";
import type { RemoteExecutionContext } from "../model";
import { DROPPABLE_MEMBERS } from "./contracts";
import { codecFor, type MessageFormat } from "./format";

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
 * Sizes without re-encoding the context per member: the whole body is measured once, and the truncated
 * size is that minus what each droppable member weighs beyond its emptied form.
 */
export function estimateSize(context: RemoteExecutionContext, format: MessageFormat, body = codecFor(format).encode(context)): SizeEstimate {
  const codec = codecFor(format);
  const emptied = withoutDroppableMembers(context);
  let saved = 0;
  for (const name of DROPPABLE_MEMBERS) saved += byteLength(codec.encodeMember(context, name)) - byteLength(codec.encodeMember(emptied, name));
  const bytes = byteLength(body);
  return { bytes, truncatedBytes: bytes - saved };
}

/**
 * The body to send on a channel (§G): as is when it fits; otherwise without ParentContext, InputParameters,
 * PreEntityImages and PostEntityImages, reported as truncated; still too large → MessageTooLarge, nothing to send.
 */
export function fitToLimit(context: RemoteExecutionContext, format: MessageFormat, limitBytes: number): FittedBody {
  const codec = codecFor(format);
  const body = codec.encode(context);
  const { bytes, truncatedBytes } = estimateSize(context, format, body);
  if (bytes <= limitBytes) return { body, bytes, truncated: false, droppedMembers: [] };
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
