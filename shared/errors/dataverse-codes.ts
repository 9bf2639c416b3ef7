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

/**
 * Dataverse codes more specific than a PipelineErrorCode's default, for the failures the data service
 * reports (pass as `dataverseCode`). Sources: Dataverse web service error codes and the Web API client
 * errors troubleshooting page.
 */
export const DATAVERSE_SPECIFIC_CODES = {
  /** Attribute validation (too long, option outside the valid range): "A validation error occurred. …" */
  AttributeValidation: "0x80044331",
  /** OData layer errors such as "Could not find a property named 'x' on type 'Microsoft.Dynamics.CRM.account'." */
  ODataError: "0x0",
  /** "Resource not found for the segment 'x'." (unknown entity set; status 404) */
  ResourceNotFoundForSegment: "0x8006088a",
  /** UserDisabled: acting as (e.g. impersonating) a disabled user. "The user with SystemUserId={id} in OrganizationContext={org} is disabled. …" */
  UserDisabled: "0x80040225",
  /** "{table} With Id = {id} Does Not Exist" */
  ObjectDoesNotExist: "0x80040217",
} as const;
