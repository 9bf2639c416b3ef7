import { describeExternalFailure } from "./external";

/**
 * The project's one error type. Every boundary (HTTP, Service Bus, Table Storage, webhooks, the CLI)
 * turns whatever it caught into a PipelineError with `toPipelineError`, and one place per adapter maps
 * the code to its wire shape (see `http.ts`).
 */
export type PipelineErrorCode =
  /** Input that cannot be read: malformed JSON/XML, a wrong type at a path. */
  | "InvalidFormat"
  /** Input that was read but breaks a rule (unknown column, value out of range, bad registration). */
  | "ValidationFailed"
  | "NotFound"
  | "Duplicate"
  | "ConcurrencyConflict"
  | "PrivilegeDenied"
  | "Unauthenticated"
  /** The encoded context stays over the channel limit even after truncation. */
  | "MessageTooLarge"
  | "PluginCancelled"
  | "PluginUnexpected"
  | "Timeout"
  | "InfiniteLoop"
  /** An external system (broker, listener, webhook) failed in a way that may pass. */
  | "ExternalUnavailable"
  /** An external system refused the request in a way retrying will not change (4xx other than 429, bad credentials, unknown entity). */
  | "ExternalRejected"
  | "Internal";

const RETRYABLE: ReadonlySet<PipelineErrorCode> = new Set(["ExternalUnavailable", "Timeout"]);

const MARKER = Symbol.for("event-pipeline.PipelineError");

export interface PipelineErrorOptions {
  cause?: unknown;
  /** Where in the input the problem is, e.g. `InputParameters[0].value.Attributes[3]`. */
  path?: string;
  /** Overrides the default retry classification of the code. */
  retryable?: boolean;
  /** Overrides the Dataverse error code (hex, e.g. `0x80040265`) that callers see. */
  dataverseCode?: string;
  /** Overrides the HTTP status an HTTP adapter answers with. */
  httpStatus?: number;
  /**
   * Dataverse's error annotations by name (`Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus`, …): the Web
   * API adds those the request asks for with `Prefer: odata.include-annotations`.
   */
  annotations?: Readonly<Record<string, string>>;
}

export class PipelineError extends Error {
  override readonly name = "PipelineError";
  readonly code: PipelineErrorCode;
  readonly path?: string;
  readonly retryable: boolean;
  readonly dataverseCode?: string;
  readonly httpStatus?: number;
  readonly annotations?: Readonly<Record<string, string>>;

  constructor(code: PipelineErrorCode, message: string, options: PipelineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    this.dataverseCode = options.dataverseCode;
    this.httpStatus = options.httpStatus;
    this.annotations = options.annotations;
    Object.defineProperty(this, MARKER, { value: true });
  }
}

/** True for a PipelineError, also one created by another copy of this module (checked by marker, not instanceof). */
export function isPipelineError(value: unknown): value is PipelineError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
}

/** The one translation point: anything thrown becomes a PipelineError. */
export function toPipelineError(error: unknown): PipelineError {
  if (isPipelineError(error)) return error;
  const external = describeExternalFailure(error);
  if (external) return new PipelineError(external.code, external.message, { cause: error, retryable: external.retryable });
  if (error instanceof SyntaxError) return new PipelineError("InvalidFormat", error.message, { cause: error });
  if (error instanceof Error) return new PipelineError("Internal", error.message, { cause: error });
  return new PipelineError("Internal", String(error));
}
