import { RecordStore, readDataServiceSettings } from "../dataservice";
import { createRecordsTableClient } from "../dataservice/store/table-client";
import { createEndpointPoster } from "../delivery";
import { JobContextStore } from "../pipeline/job-context-store";
import { runJobAttempt, type AttemptResult } from "./job-attempt";
import { sweepSystemJobs, type SweepResult } from "./sweep";
import type { JobOrchestrations } from "./orchestrations";
import { SystemJobStore, type JobReference } from "./system-jobs";
import { createJobTelemetry, type JobTelemetry } from "./telemetry";

/** The asynchronous service in one process: what the system-job functions call. */
export interface JobRuntime {
  attempt(reference: JobReference): Promise<AttemptResult>;
  sweep(orchestrations: JobOrchestrations): Promise<SweepResult>;
  close(): Promise<void>;
}

export interface JobRuntimeOptions {
  env?: Record<string, string | undefined>;
  telemetry?: JobTelemetry;
  /** Default wait for two-way and one-way listeners (60 s). */
  replyTimeoutInMs?: number;
}

export function createJobRuntime(options: JobRuntimeOptions = {}): JobRuntime {
  const env = options.env ?? process.env;
  const store = new RecordStore(createRecordsTableClient(env));
  const jobs = new SystemJobStore(store);
  const contexts = new JobContextStore(store);
  const telemetry = options.telemetry ?? createJobTelemetry();
  const poster = createEndpointPoster({ env, observer: (event) => telemetry.post(event), replyTimeoutInMs: options.replyTimeoutInMs });
  const organizations = [...readDataServiceSettings(env).organizations.keys()];
  return {
    attempt: (reference) => runJobAttempt({ jobs, contexts, poster, telemetry }, reference),
    sweep: (orchestrations) => sweepSystemJobs(jobs, organizations, orchestrations),
    close: () => poster.close(),
  };
}
