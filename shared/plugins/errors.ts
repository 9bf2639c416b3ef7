/** OperationStatus (Microsoft.Xrm.Sdk): what the async service does after a plug-in's exception. */
export const OperationStatus = { Failed: 0, Canceled: 1, Retry: 2, Suspended: 3, Succeeded: 4 } as const;
export type OperationStatus = (typeof OperationStatus)[keyof typeof OperationStatus];

/** PluginHttpStatusCode (Microsoft.Xrm.Sdk): the HTTP status the Web API answers an InvalidPluginExecutionException with. */
export const PluginHttpStatusCode = {
  NotSet: 0,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  RequestTimeout: 408,
  Conflict: 409,
  Gone: 410,
  PreconditionFailed: 412,
  RequestEntityTooLarge: 413,
  ExpectationFailed: 417,
  FailedDependency: 424,
  TooManyRequests: 429,
  InternalServerError: 500,
  BadGateway: 502,
  ServiceUnavailable: 503,
  GatewayTimeout: 504,
} as const;
export type PluginHttpStatusCode = (typeof PluginHttpStatusCode)[keyof typeof PluginHttpStatusCode];

const HTTP_STATUSES: ReadonlySet<number> = new Set(Object.values(PluginHttpStatusCode));
const OPERATION_STATUSES: ReadonlySet<unknown> = new Set(Object.values(OperationStatus));

/**
 * An InvalidPluginExecutionError's details as the Web API may answer them: a plug-in's JavaScript can change
 * them after the constructor checked them (or forge the error), so what is not one of the enums' values
 * falls back to the defaults (status Failed, no HTTP status: 400) and an errorCode that is no integer is dropped.
 */
export function checkedDetails(error: InvalidPluginExecutionError): { status: OperationStatus; httpStatus?: number; errorCode?: number } {
  const { status, httpStatus, errorCode } = error;
  return {
    status: OPERATION_STATUSES.has(status) ? status : OperationStatus.Failed,
    httpStatus: HTTP_STATUSES.has(httpStatus) && httpStatus !== PluginHttpStatusCode.NotSet ? httpStatus : undefined,
    errorCode: Number.isSafeInteger(errorCode) ? errorCode : undefined,
  };
}

/** The other arguments of InvalidPluginExecutionException's overloads. */
export interface InvalidPluginExecutionOptions {
  /** The custom integer error code (`SubErrorCode` of the Web API's error details). */
  errorCode?: number;
  /** The Web API's status for the error; NotSet (the default): 400. */
  httpStatus?: PluginHttpStatusCode;
}

const MARKER = Symbol.for("event-pipeline.InvalidPluginExecutionError");

/**
 * InvalidPluginExecutionException: cancels the operation and shows `message` to the caller
 * (0x80040265, status 400 or `httpStatus`). `status` tells the async service what to do (Retry: try
 * again, up to 4 attempts); it and `errorCode` are the Web API's error details.
 * @throws RangeError for an `httpStatus` PluginHttpStatusCode does not have, or an `errorCode` that is not an integer.
 */
export class InvalidPluginExecutionError extends Error {
  override readonly name = "InvalidPluginExecutionError";
  readonly errorCode?: number;
  readonly httpStatus: PluginHttpStatusCode;

  constructor(
    message: string,
    readonly status: OperationStatus = OperationStatus.Failed,
    options: InvalidPluginExecutionOptions = {},
  ) {
    super(message);
    const { errorCode, httpStatus = PluginHttpStatusCode.NotSet } = options;
    if (!HTTP_STATUSES.has(httpStatus)) throw new RangeError(`httpStatus ${String(httpStatus)} is not a PluginHttpStatusCode (${[...HTTP_STATUSES].join(", ")}).`);
    if (errorCode !== undefined && !Number.isSafeInteger(errorCode)) throw new RangeError(`errorCode ${String(errorCode)} is not an integer.`);
    this.errorCode = errorCode;
    this.httpStatus = httpStatus;
    Object.defineProperty(this, MARKER, { value: true });
  }
}

/** Checked by marker, so an error from another copy of this module (a plug-in's own bundle) counts too. */
export function isInvalidPluginExecutionError(value: unknown): value is InvalidPluginExecutionError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
}
