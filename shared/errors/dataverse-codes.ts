import type { PipelineErrorCode } from "./pipeline-error";

/**
 * Dataverse's HTTP status and error code for each failure, as its Web API answers them.
 * Codes are Dataverse's hex error codes (Microsoft.Crm.Sdk ErrorCodes).
 */
export const DATAVERSE_ERRORS: Record<PipelineErrorCode, { status: number; code: string }> = {
  InvalidFormat: { status: 400, code: "0x80040216" },
  ValidationFailed: { status: 400, code: "0x80040203" },
  NotFound: { status: 404, code: "0x80040217" },
  Duplicate: { status: 412, code: "0x80040237" },
  ConcurrencyConflict: { status: 412, code: "0x80060882" },
  PrivilegeDenied: { status: 403, code: "0x80040220" },
  Unauthenticated: { status: 401, code: "0x80072560" },
  MessageTooLarge: { status: 400, code: "0x80050108" },
  PluginCancelled: { status: 400, code: "0x80040265" },
  PluginUnexpected: { status: 400, code: "0x80040224" },
  Timeout: { status: 400, code: "0x80040351" },
  InfiniteLoop: { status: 400, code: "0x80044182" },
  ExternalUnavailable: { status: 502, code: "0x80044306" },
  ExternalRejected: { status: 502, code: "0x80044306" },
  Internal: { status: 500, code: "0x80040216" },
};
