import { metrics, type Meter } from "@opentelemetry/api";
import { CONTRACT_NAMES, type EndpointContract, type PostEvent } from "../delivery";

/** One attempt of a system job, as logged: every field a support engineer filters on. */
export interface JobAttemptRecord {
  correlationId?: string;
  organization: string;
  jobId: string;
  stepId?: string;
  serviceEndpointId?: string;
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
  message?: string;
}

/** Where the asynchronous service reports what it did: structured logs and metrics. */
export interface JobTelemetry {
  attempt(record: JobAttemptRecord): void;
  /** Every post the poster made (from its observer). */
  post(event: PostEvent): void;
}

/** Writes one JSON line per attempt (the Functions host ships console output to Application Insights). */
export type LogSink = (line: string) => void;

export interface JobTelemetryOptions {
  log?: LogSink;
  /** Default: the global meter provider's (Azure Monitor's once shared/telemetry/start ran; else a no-op). */
  meter?: Meter;
}

/** The metric names, as they appear in Application Insights (customMetrics). */
export const JOB_METRICS = {
  posts: "pipeline.jobs.posts",
  failures: "pipeline.jobs.failures",
  retries: "pipeline.jobs.retries",
  truncations: "pipeline.jobs.truncations",
  deliveryLatency: "pipeline.jobs.delivery_latency",
} as const;

/** `Queue`, `Webhook`, … or `PlugIn` for an asynchronous plug-in step. */
const contractName = (contract: number | undefined): string =>
  contract === undefined ? "PlugIn" : (CONTRACT_NAMES[contract as EndpointContract] ?? String(contract));

/**
 * Logs as JSON lines and records metrics through the OpenTelemetry API. Every metric has the attributes
 * `organization`, `contract` (the endpoint's contract name) and `outcome`; failures add `errorCode`.
 */
export function createJobTelemetry(options: JobTelemetryOptions = {}): JobTelemetry {
  const log = options.log ?? ((line: string) => console.log(line));
  const meter = options.meter ?? metrics.getMeter("event-pipeline.jobs");
  const posts = meter.createCounter(JOB_METRICS.posts, { unit: "{post}", description: "Posts to service endpoints" });
  const failures = meter.createCounter(JOB_METRICS.failures, { unit: "{post}", description: "Failed posts to service endpoints" });
  const retries = meter.createCounter(JOB_METRICS.retries, { unit: "{attempt}", description: "System job attempts that put the job back to Waiting" });
  const truncations = meter.createCounter(JOB_METRICS.truncations, { unit: "{post}", description: "Posts sent without ParentContext, InputParameters and images" });
  const latency = meter.createHistogram(JOB_METRICS.deliveryLatency, { unit: "ms", description: "From the job's commit to its delivery" });
  return {
    attempt(record) {
      const attributes = { organization: record.organization, contract: contractName(record.contract), outcome: record.outcome };
      if (record.outcome === "waiting") retries.add(1, attributes);
      if (record.outcome === "succeeded" && record.latencyInMs !== undefined) latency.record(record.latencyInMs, attributes);
      log(JSON.stringify({ event: "systemJobAttempt", ...record }));
    },
    post(event) {
      const attributes = { organization: event.organizationName, contract: contractName(event.contract), outcome: event.outcome };
      posts.add(1, attributes);
      if (event.outcome === "failed") failures.add(1, { ...attributes, errorCode: event.errorCode ?? "" });
      if (event.truncated) truncations.add(1, attributes);
    },
  };
}
