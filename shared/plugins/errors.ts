/** OperationStatus (Microsoft.Xrm.Sdk): what the async service does after a plug-in's exception. */
export const OperationStatus = { Failed: 0, Canceled: 1, Retry: 2, Suspended: 3, Succeeded: 4 } as const;
export type OperationStatus = (typeof OperationStatus)[keyof typeof OperationStatus];

const MARKER = Symbol.for("event-pipeline.InvalidPluginExecutionError");

/**
 * InvalidPluginExecutionException: cancels the operation and shows `message` to the caller
 * (400, 0x80040265). `status` tells the async service what to do (Retry: try again, up to 4 attempts).
 */
export class InvalidPluginExecutionError extends Error {
  override readonly name = "InvalidPluginExecutionError";

  constructor(
    message: string,
    readonly status: OperationStatus = OperationStatus.Failed,
  ) {
    super(message);
    Object.defineProperty(this, MARKER, { value: true });
  }
}

/** Checked by marker, so an error from another copy of this module (a plug-in's own bundle) counts too. */
export function isInvalidPluginExecutionError(value: unknown): value is InvalidPluginExecutionError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
}
