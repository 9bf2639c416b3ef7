import { ExecutionMode, type RemoteExecutionContext } from "./context";
import { nameBasedGuid, type Guid } from "./guid";

/** Namespace of the name-based ids below (a random v4 GUID chosen once; changing it changes every id). */
const POST_ID_NAMESPACE = Buffer.from("7d3f6a52-1c8e-4b0e-9f5a-2e6c4d8b9a10".replace(/-/g, ""), "hex");

/**
 * The identity of one post of `context`: its Service Bus MessageId and Event Hubs message id, a webhook's
 * `x-pipeline-message-id`, and the key a listener drops duplicates by.
 *
 * - Asynchronous (Mode 1): the OperationId, which is the system job's id, so every retry of the job's post
 *   is the same message and a repeated one is dropped.
 * - Synchronous (Mode 0): every step of one operation shares the OperationId (= RequestId), so the id is
 *   derived from OperationId, OwningExtension (the step) and Stage: different for each step and stage of the
 *   operation, the same when that post is tried again. A name-based (v5) GUID, so it stays GUID-shaped.
 */
export function postMessageId(context: RemoteExecutionContext): Guid {
  if (context.mode === ExecutionMode.Asynchronous) return context.operationId;
  return nameBasedGuid(POST_ID_NAMESPACE, `${context.operationId}|${context.owningExtension?.id ?? ""}|${context.stage}`);
}
