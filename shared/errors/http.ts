import { DATAVERSE_ERRORS } from "./dataverse-codes";
import { toPipelineError } from "./pipeline-error";

export interface DataverseErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string; [annotation: `@${string}`]: string } };
}

/**
 * The one place that maps an error to Dataverse's Web API error shape. `wantsAnnotation` (from the request's
 * `Prefer: odata.include-annotations`) picks the error's annotations to add, as `@name` members of `error`.
 */
export function toDataverseErrorResponse(error: unknown, wantsAnnotation: (name: string) => boolean = () => false): DataverseErrorResponse {
  const pipelineError = toPipelineError(error);
  const defaults = DATAVERSE_ERRORS[pipelineError.code];
  const message = pipelineError.code === "Internal" ? "An unexpected error occurred." : pipelineError.message;
  const body: DataverseErrorResponse["body"] = { error: { code: pipelineError.dataverseCode ?? defaults.code, message } };
  for (const [name, value] of Object.entries(pipelineError.annotations ?? {})) if (wantsAnnotation(name)) body.error[`@${name}`] = value;
  return {
    status: pipelineError.httpStatus ?? defaults.status,
    headers: { "Content-Type": "application/json; odata.metadata=minimal", "OData-Version": "4.0" },
    body,
  };
}
