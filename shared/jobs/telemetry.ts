import { metrics, type Meter } from "@opentelemetry/api";
import { CONTRACT_NAMES, type EndpointContract, type PostEvent } from "../delivery";
import { LOG_EVENTS, structuredLog, type LogSeverity, type StructuredLog } from "../telemetry/structured-log";

/** One attempt of a system job, as logged: every field a support engineer filters on. */
export interface JobAttemptRecord {
  correlationId?: string;
  organization: string;
  jobId: string;
  stepId?: string;
  serviceEndpointId?: string;
  /** What the step's handler is, once known: a service endpoint (with its contract) or a plug-in. */
  handler?: "serviceEndpoint" | "plugin";
  /** The service endpoint's contract (absent for a plug-in step). */
  contract?: EndpointContract;
  /** 1 for the first attempt. */
  attempt: number;
  /** "unrecorded": writing the outcome on the job's row failed (errorCode and message say why). */
  outcome: "succeeded" | "waiting" | "failed" | "stopped" | "unrecorded";
  truncated?: boolean;
  /** The back-off before the next attempt (outcome "waiting"). */
  retryDelayInMs?: number;
  errorCode?: string;
  /** From the job's commit (createdon) to this outcome. */
  latencyInMs?: number;
  /** Why the attempt failed (the job's `message`). */
  message?: string;
}

/** Where the asynchronous service reports what it did: structured logs and metrics. */
export interface JobTelemetry {
  attempt(record: JobAttemptRecord): void;
  /** Every post the poster made (from its observer). */
  post(event: PostEvent): void;
}

export interface JobTelemetryOptions {
  /** Default: the app's structured log. */
  log?: StructuredLog;
  /** Default: the global meter provider's (Azure Monitor's once shared/telemetry/start ran; else a no-op). */
  meter?: Meter;
}

/** The metric names, as they appear in Application Insights (customMetrics). */
export const JOB_METRICS = {
  attempts: "pipeline.jobs.attempts",
  posts: "pipeline.jobs.posts",
  failures: "pipeline.jobs.failures",
  retries: "pipeline.jobs.retries",
  truncations: "pipeline.jobs.truncations",
  deliveryLatency: "pipeline.jobs.delivery_latency",
  postDuration: "pipeline.jobs.post_duration",
} as const;

/** `Queue`, `Webhook`, …, `PlugIn` for a plug-in step, `Unknown` when the job failed before its handler was known. */
function contractName(contract: number | undefined, handler?: JobAttemptRecord["handler"]): string {
  if (contract !== undefined) return CONTRACT_NAMES[contract as EndpointContract] ?? String(contract);
  return handler === "plugin" ? "PlugIn" : "Unknown";
}

const ATTEMPT_SEVERITY: Record<JobAttemptRecord["outcome"], LogSeverity> = {
  succeeded: "information",
  stopped: "information",
  waiting: "warning",
  failed: "error",
  unrecorded: "error",
};

/**
 * Logs through the structured log and records metrics through the OpenTelemetry API. Every metric has
 * the attributes `organization`, `contract` (the endpoint's contract name) and `outcome`; failed posts
 * and failed or unrecorded attempts add `errorCode` (a PipelineError code).
 */
export function createJobTelemetry(options: JobTelemetryOptions = {}): JobTelemetry {
  const log = options.log ?? structuredLog;
  const meter = options.meter ?? metrics.getMeter("event-pipeline.jobs");
  const attempts = meter.createCounter(JOB_METRICS.attempts, { unit: "{attempt}", description: "System job attempts, by outcome" });
  const posts = meter.createCounter(JOB_METRICS.posts, { unit: "{post}", description: "Posts to service endpoints" });
  const failures = meter.createCounter(JOB_METRICS.failures, { unit: "{post}", description: "Failed posts to service endpoints" });
  const retries = meter.createCounter(JOB_METRICS.retries, { unit: "{attempt}", description: "System job attempts that put the job back to Waiting" });
  const truncations = meter.createCounter(JOB_METRICS.truncations, { unit: "{post}", description: "Posts sent without ParentContext, InputParameters and images" });
  const latency = meter.createHistogram(JOB_METRICS.deliveryLatency, { unit: "ms", description: "From the job's commit to its delivery" });
  const postDuration = meter.createHistogram(JOB_METRICS.postDuration, { unit: "ms", description: "How long one post to a service endpoint took" });
  return {
    attempt(record) {
      const contract = contractName(record.contract, record.handler);
      const attributes = { organization: record.organization, contract, outcome: record.outcome };
      const failed = record.outcome === "failed" || record.outcome === "unrecorded";
      attempts.add(1, failed ? { ...attributes, errorCode: record.errorCode ?? "" } : attributes);
      if (record.outcome === "waiting") retries.add(1, attributes);
      if (record.outcome === "succeeded" && record.latencyInMs !== undefined) latency.record(record.latencyInMs, attributes);
      const { message, handler: _handler, contract: _contract, ...fields } = record;
      log({
        event: LOG_EVENTS.jobAttempt,
        severity: ATTEMPT_SEVERITY[record.outcome],
        message: `System job ${record.jobId}, attempt ${record.attempt}: ${record.outcome}${message ? `: ${message}` : ""}`,
        fields: { ...fields, contract },
      });
    },
    post(event) {
      const contract = contractName(event.contract);
      const attributes = { organization: event.organizationName, contract, outcome: event.outcome };
      posts.add(1, attributes);
      postDuration.record(event.durationInMs, attributes);
      if (event.outcome === "failed") failures.add(1, { ...attributes, errorCode: event.errorCode ?? "" });
      if (event.truncated) truncations.add(1, attributes);
      // A system job's post is its attempt's record; a synchronous post has no other.
      if (!event.synchronous) return;
      log({
        event: LOG_EVENTS.post,
        severity: event.outcome === "succeeded" ? "information" : "error",
        message: `Synchronous post to service endpoint ${event.serviceEndpointId ?? "(unsaved)"} (${contract}): ${event.outcome}${event.errorCode ? ` (${event.errorCode})` : ""}`,
        fields: {
          correlationId: event.correlationId,
          organization: event.organizationName,
          operationId: event.operationId,
          serviceEndpointId: event.serviceEndpointId,
          contract,
          outcome: event.outcome,
          errorCode: event.errorCode,
          retryable: event.retryable,
          truncated: event.truncated,
          durationInMs: Math.round(event.durationInMs),
        },
      });
    },
  };
}
