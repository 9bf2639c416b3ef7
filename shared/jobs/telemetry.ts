import { metrics, type Counter, type Histogram } from "@opentelemetry/api";
import type { PostEvent } from "../delivery";

/** One attempt of a system job, as logged: every field a support engineer filters on. */
export interface JobAttemptRecord {
  correlationId?: string;
  organization: string;
  jobId: string;
  stepId?: string;
  serviceEndpointId?: string;
  /** 1 for the first attempt. */
  attempt: number;
  outcome: "succeeded" | "waiting" | "failed" | "stopped";
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

/**
 * Logs as JSON lines and records metrics through the OpenTelemetry API: a no-op until the app registers
 * a meter provider (the Azure Monitor OpenTelemetry distro does so from APPLICATIONINSIGHTS_CONNECTION_STRING).
 * Metrics: `pipeline.jobs.posts`, `.failures`, `.retries`, `.truncations` (counters), `.delivery_latency` (ms, histogram).
 */
export function createJobTelemetry(log: LogSink = (line) => console.log(line)): JobTelemetry {
  const meter = metrics.getMeter("event-pipeline.jobs");
  const posts: Counter = meter.createCounter("pipeline.jobs.posts", { description: "Posts to service endpoints" });
  const failures: Counter = meter.createCounter("pipeline.jobs.failures", { description: "Failed posts" });
  const retries: Counter = meter.createCounter("pipeline.jobs.retries", { description: "System jobs put back to Waiting" });
  const truncations: Counter = meter.createCounter("pipeline.jobs.truncations", { description: "Posts sent without ParentContext, InputParameters and images" });
  const latency: Histogram = meter.createHistogram("pipeline.jobs.delivery_latency", { unit: "ms", description: "Commit to delivery" });
  return {
    attempt(record) {
      const attributes = { organization: record.organization, outcome: record.outcome };
      if (record.outcome === "waiting") retries.add(1, attributes);
      if (record.outcome === "succeeded" && record.latencyInMs !== undefined) latency.record(record.latencyInMs, attributes);
      log(JSON.stringify({ event: "systemJobAttempt", ...record }));
    },
    post(event) {
      const attributes = { organization: event.organizationName, contract: event.contract, outcome: event.outcome };
      posts.add(1, attributes);
      if (event.outcome === "failed") failures.add(1, { ...attributes, errorCode: event.errorCode ?? "" });
      if (event.truncated) truncations.add(1, attributes);
    },
  };
}
