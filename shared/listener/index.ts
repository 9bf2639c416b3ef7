/**
 * For listener authors: read what a Dataverse service endpoint posted.
 *
 *   import { parseDataverseMessage } from "event-pipeline/listener";
 *   const { context, truncated } = parseDataverseMessage(message.body, message);
 */
export { parseDataverseMessage, type DataverseMessage, type MessageProperties } from "./parse";
export { ClaimKeys, CLAIM_KEY_ROOT } from "../delivery/claim-keys";
export { verifyPostSignature, SignatureHeaders, type SignatureCheck } from "../delivery/signature";
export { PipelineError, isPipelineError, type PipelineErrorCode } from "../errors/pipeline-error";
export { postMessageId, type RemoteExecutionContext } from "../model";
