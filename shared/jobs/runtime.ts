import { azureResources } from "../config/azure-resources";
import { readDataServiceSettings } from "../dataservice";
import { PipelineError } from "../errors";
import type { EndpointPoster } from "../delivery";
import type { PipelineService } from "../pipeline";
import { runJobAttempt, type AsyncPluginStepRunner, type AttemptResult } from "./job-attempt";
import { sweepSystemJobs, type SweepResult } from "./sweep";
import type { JobOrchestrations } from "./orchestrations";
import { SystemJobStore, type JobReference } from "./system-jobs";
import type { JobTelemetry } from "./telemetry";

/** The asynchronous service in one process: what the system-job functions call. */
export interface JobRuntime {
  attempt(reference: JobReference): Promise<AttemptResult>;
  sweep(orchestrations: JobOrchestrations): Promise<SweepResult>;
}

/** What the runtime works with; their owner (see app-services.ts) builds and closes them. */
export interface JobRuntimeDependencies {
  env: Record<string, string | undefined>;
  /** The pipeline (plug-ins, registrations, stored contexts). */
  pipeline: PipelineService;
  poster: EndpointPoster;
  telemetry: JobTelemetry;
}

export function createJobRuntime({ env, pipeline: service, poster, telemetry }: JobRuntimeDependencies): JobRuntime {
  const jobs = new SystemJobStore(service.store);
  const contexts = service.jobContexts;
  const runPluginStep: AsyncPluginStepRunner = async (organization, context, correlationUpdatedAt) =>
    service.pipeline.runJob(await service.directory.get(organization), context, correlationUpdatedAt);
  const organizations = [...readDataServiceSettings(env).organizations.keys()];
  return {
    attempt: (reference) => runJobAttempt({ jobs, contexts, poster, runPluginStep, telemetry }, reference),
    sweep: (orchestrations) => sweepSystemJobs(jobs, organizations, orchestrations),
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
