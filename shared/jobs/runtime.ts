import { azureResources } from "../config/azure-resources";
import { readDataServiceSettings } from "../dataservice";
import { readSecondsSettingMs } from "../config/seconds-setting";
import type { EndpointPoster } from "../delivery";
import type { PipelineService } from "../pipeline";
import { runJobAttempt, type AsyncPluginStepRunner, type AttemptResult, type JobAttemptDependencies, type JobAttemptInput } from "./job-attempt";
import { cachedRegistrationsOf } from "./registration-rows";
import { sweepCutoff, sweepSystemJobs, type SweepResult } from "./sweep";
import type { JobOrchestrations } from "./orchestrations";
import { SystemJobStore } from "./system-jobs";
import type { JobTelemetry } from "./telemetry";

/** The asynchronous service in one process: what the system-job functions call. */
export interface JobRuntime {
  attempt(input: JobAttemptInput): Promise<AttemptResult>;
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

/** How long after its row was last written the sweep leaves a job to its orchestration (`SystemJobSweepGraceSeconds`). */
export const DEFAULT_SWEEP_GRACE_MS = 60_000;

export function createJobRuntime({ env, pipeline: service, poster, telemetry }: JobRuntimeDependencies): JobRuntime {
  const startedAt = Date.now();
  const deps = jobAttemptDependencies(service, poster, telemetry);
  const organizations = [...readDataServiceSettings(env).organizations.keys()];
  const graceMs = readSecondsSettingMs(env, azureResources.appSettings.systemJobSweepGraceSeconds, { allowZero: true }) ?? DEFAULT_SWEEP_GRACE_MS;
  return {
    attempt: (input) => runJobAttempt(deps, input),
    sweep: (orchestrations) => sweepSystemJobs(deps.jobs, organizations, orchestrations, sweepCutoff(startedAt, graceMs)),
  };
}

/**
 * What a job attempt works with, from the pipeline service: its records store and stored contexts, its
 * registration cache (so a job's step and endpoint cost no read, and a registration change made through
 * this service's Web API counts at once; other instances' after the cache's TTL), its plug-ins.
 */
export function jobAttemptDependencies(service: PipelineService, poster: EndpointPoster, telemetry: JobTelemetry): JobAttemptDependencies {
  const runPluginStep: AsyncPluginStepRunner = async (organization, context, correlationUpdatedAt) =>
    service.pipeline.runJob(await service.directory.get(organization), context, correlationUpdatedAt);
  return { jobs: new SystemJobStore(service.store), contexts: service.jobContexts, registrations: cachedRegistrationsOf(service), poster, runPluginStep, telemetry };
}

/** @throws PipelineError ValidationFailed naming the setting when it is not a positive number. */
export function readReplyTimeoutInMs(env: Record<string, string | undefined>): number | undefined {
  return readSecondsSettingMs(env, azureResources.appSettings.serviceEndpointReplyTimeoutSeconds);
}
