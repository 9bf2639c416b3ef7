import { azureResources } from "../config/azure-resources";
import { readDataServiceSettings } from "../dataservice";
import { PipelineError } from "../errors";
import { createEndpointPoster, type EndpointPoster } from "../delivery";
import { createPipelineService, type PipelineService } from "../pipeline";
import { runJobAttempt, type AsyncPluginStepRunner, type AttemptResult } from "./job-attempt";
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
  /** Wait for two-way and one-way listeners; default setting ServiceEndpointReplyTimeoutSeconds, else 60 s. */
  replyTimeoutInMs?: number;
  /** The pipeline (plug-ins, registrations, stored contexts); default: one from the settings. */
  pipeline?: PipelineService;
  /** Posts to service endpoints; default: one of its own (closed by `close`). */
  poster?: EndpointPoster;
}

export function createJobRuntime(options: JobRuntimeOptions = {}): JobRuntime {
  const env = options.env ?? process.env;
  const service = options.pipeline ?? createPipelineService({ env });
  const jobs = new SystemJobStore(service.store);
  const contexts = service.jobContexts;
  const runPluginStep: AsyncPluginStepRunner = async (organization, context, correlationUpdatedAt) =>
    service.pipeline.runJob(await service.directory.get(organization), context, correlationUpdatedAt);
  const telemetry = options.telemetry ?? createJobTelemetry();
  const poster =
    options.poster ?? createEndpointPoster({ env, observer: (event) => telemetry.post(event), replyTimeoutInMs: options.replyTimeoutInMs ?? readReplyTimeoutInMs(env) });
  const organizations = [...readDataServiceSettings(env).organizations.keys()];
  return {
    attempt: (reference) => runJobAttempt({ jobs, contexts, poster, runPluginStep, telemetry }, reference),
    sweep: (orchestrations) => sweepSystemJobs(jobs, organizations, orchestrations),
    close: () => poster.close(),
  };
}

/** @throws PipelineError ValidationFailed naming the setting when it is not a positive number. */
export function readReplyTimeoutInMs(env: Record<string, string | undefined>): number | undefined {
  const name = azureResources.appSettings.serviceEndpointReplyTimeoutSeconds;
  const text = env[name]?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new PipelineError("ValidationFailed", `Setting ${name}: '${text}' is not a positive number of seconds.`);
  return Math.round(seconds * 1000);
}
