import { DATAVERSE_ERRORS, toPipelineError, type PipelineErrorCode } from "../errors";
import type { RemoteExecutionContext } from "../model";
import { nextRetry, type CompiledRetryPolicy, type RandomSource } from "../retry";
import { retryPolicyOf, type ServiceEndpoint } from "./endpoint";
import type { EndpointPoster, PostOptions, PostResult } from "./poster";

/**
 * What a system job records about a failed post (asyncoperation `errorcode`, `message`, `friendlymessage`).
 * Plain data, so that it can cross an activity boundary; never contains a secret.
 */
export interface DeliveryFailure {
  code: PipelineErrorCode;
  retryable: boolean;
  /** Dataverse's error code as the signed 32-bit integer the `errorcode` column holds. */
  errorCode: number;
  message: string;
  friendlyMessage: string;
}

/** After a failed attempt: wait and try again (job → Waiting, `postponeuntil`), or fail the job for good. */
export type FailureDecision =
  | { kind: "retry"; delayInMs: number; failure: DeliveryFailure }
  | { kind: "fail"; failure: DeliveryFailure };

const FRIENDLY: Partial<Record<PipelineErrorCode, string>> = {
  ExternalUnavailable: "The service endpoint could not be reached or did not answer in time.",
  ExternalRejected: "The service endpoint refused the message.",
  MessageTooLarge: "The execution context is too large to post, even without ParentContext, InputParameters and images.",
  ValidationFailed: "The service endpoint registration cannot be used.",
};

/**
 * What failed: a post to a service endpoint, an asynchronous plug-in step run by its system job, or a system
 * job before its handler was known (its step, handler or stored context missing).
 */
export type FailedHandler = "serviceEndpoint" | "plugin" | "systemJob";

const UNEXPECTED: Record<FailedHandler, string> = {
  serviceEndpoint: "An unexpected error occurred while posting to the service endpoint.",
  plugin: "An unexpected error occurred while running the plug-in.",
  systemJob: "An unexpected error occurred while running the system job.",
};

const FRIENDLY_PLUGIN: Partial<Record<PipelineErrorCode, string>> = {
  PluginCancelled: "The plug-in stopped the operation.",
  PluginUnexpected: "The plug-in failed with an unexpected error.",
  Timeout: "The plug-in did not finish in time.",
  ValidationFailed: "The plug-in step registration cannot be used.",
};

const FRIENDLY_SYSTEM_JOB: Partial<Record<PipelineErrorCode, string>> = {
  ValidationFailed: "The system job's step or its handler can no longer be used.",
};

const FRIENDLY_BY_HANDLER: Record<FailedHandler, Partial<Record<PipelineErrorCode, string>>> = {
  serviceEndpoint: FRIENDLY,
  plugin: FRIENDLY_PLUGIN,
  systemJob: FRIENDLY_SYSTEM_JOB,
};

export function describeFailure(error: unknown, handler: FailedHandler = "serviceEndpoint"): DeliveryFailure {
  const failure = toPipelineError(error);
  const hex = failure.dataverseCode ?? DATAVERSE_ERRORS[failure.code].code;
  const friendly = FRIENDLY_BY_HANDLER[handler];
  return {
    code: failure.code,
    retryable: failure.retryable,
    errorCode: Number.parseInt(hex, 16) | 0,
    message: failure.code === "Internal" ? UNEXPECTED[handler] : failure.message,
    friendlyMessage: friendly[failure.code] ?? UNEXPECTED[handler],
  };
}

/**
 * The job's next step after a failed attempt, `retriesSoFar` retries having been made: a failure worth
 * retrying waits by `policy` until it runs out; anything else fails at once. For a post, worth retrying =
 * retryable (unreachable, timed out); not serialization, size or configuration. A plug-in step passes its own rule.
 */
export function decideAfterFailure(
  error: unknown,
  retriesSoFar: number,
  policy: CompiledRetryPolicy,
  random?: RandomSource,
  worthRetrying: (error: unknown, failure: DeliveryFailure) => boolean = (_, failure) => failure.retryable,
  handler: FailedHandler = "serviceEndpoint",
): FailureDecision {
  const failure = describeFailure(error, handler);
  if (!worthRetrying(error, failure)) return { kind: "fail", failure };
  const next = nextRetry(policy, retriesSoFar, random);
  return next.stop ? { kind: "fail", failure } : { kind: "retry", delayInMs: next.delayInMs, failure };
}

/** One attempt of a system job: it succeeded, or what to do next. Plain data (an activity's result). */
export type DeliveryOutcome = { kind: "succeeded"; result: PostResult } | FailureDecision;

/**
 * Posts once and decides the job's next step by the endpoint's retry policy (`retrypolicy` over the
 * service-endpoint defaults). Never throws for a failed post: the failure is in the outcome.
 */
export async function attemptDelivery(
  poster: EndpointPoster,
  context: RemoteExecutionContext,
  endpoint: ServiceEndpoint,
  retriesSoFar: number,
  options: PostOptions & { random?: RandomSource } = {},
): Promise<DeliveryOutcome> {
  const { random, ...postOptions } = options;
  try {
    return { kind: "succeeded", result: await poster.post(context, endpoint, postOptions) };
  } catch (error) {
    return decideAfterFailure(error, retriesSoFar, retryPolicyOf(endpoint), random);
  }
}
