import { DATAVERSE_ERRORS } from "./dataverse-codes";
import { toPipelineError } from "./pipeline-error";

export interface DataverseErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string } };
}

/** The one place that maps an error to Dataverse's Web API error shape. */
export function toDataverseErrorResponse(error: unknown): DataverseErrorResponse {
  const pipelineError = toPipelineError(error);
  const defaults = DATAVERSE_ERRORS[pipelineError.code];
  const message = pipelineError.code === "Internal" ? "An unexpected error occurred." : pipelineError.message;
  return {
    status: pipelineError.httpStatus ?? defaults.status,
    headers: { "Content-Type": "application/json; odata.metadata=minimal", "OData-Version": "4.0" },
    body: { error: { code: pipelineError.dataverseCode ?? defaults.code, message } },
  };
}
