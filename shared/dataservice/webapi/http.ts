import { DATAVERSE_SPECIFIC_CODES, PipelineError, toDataverseErrorResponse } from "../../errors";
import { readPreferences } from "./preferences";

/** An HTTP request as the Web API core sees it (adapters build it from Functions' HttpRequest or node:http). */
export interface WebApiRequest {
  method: string;
  url: URL;
  header(name: string): string | null;
  /** The body text ("" when none). */
  body: string;
}

export interface WebApiResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON body; absent for 204/304 and text answers. */
  body?: unknown;
  /** A body already serialized (`/$count` and `/$value` plain text, the `$metadata` XML), sent as it is. */
  text?: string;
}

export const ODATA_HEADERS = { "OData-Version": "4.0" } as const;
const JSON_HEADERS = { "Content-Type": "application/json; odata.metadata=minimal", ...ODATA_HEADERS };

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): WebApiResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body };
}

export function textResponse(text: string, contentType = "text/plain; charset=utf-8"): WebApiResponse {
  return { status: 200, headers: { "Content-Type": contentType, ...ODATA_HEADERS }, text };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): WebApiResponse {
  return { status, headers: { ...ODATA_HEADERS, ...headers } };
}

/** `prefer`: the request's Prefer header, whose `odata.include-annotations` picks the error annotations answered. */
export function errorResponse(error: unknown, prefer: string | null = null): WebApiResponse {
  const annotations = readPreferences(prefer).annotations;
  const response = toDataverseErrorResponse(error, (name) => annotations?.includes(name) ?? false);
  return { status: response.status, headers: response.headers, body: response.body };
}

/** The request's body as JSON: only a body sent as `application/json` (parameters such as charset or odata.metadata allowed) is read. */
export function readJsonBody(request: WebApiRequest): unknown {
  const mediaType = (request.header("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json") {
    // ASP.NET's answer to a media type without a formatter, which Dataverse's Web API gives: 415, OData's error code.
    throw new PipelineError("InvalidFormat", `The request entity's media type '${mediaType || "(none)"}' is not supported for this resource. Send the body as application/json.`, {
      httpStatus: 415,
      dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
    });
  }
  try {
    return JSON.parse(request.body);
  } catch (error) {
    throw new PipelineError("InvalidFormat", `The request body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

export function methodNotAllowed(method: string): PipelineError {
  return new PipelineError("ValidationFailed", `The HTTP method ${method} is not supported on this resource.`, { httpStatus: 405 });
}

/** Dataverse's 404 for a path segment that names nothing. */
export function resourceNotFound(segment: string): PipelineError {
  return new PipelineError("NotFound", `Resource not found for the segment '${segment}'.`, {
    dataverseCode: DATAVERSE_SPECIFIC_CODES.ResourceNotFoundForSegment,
  });
}
