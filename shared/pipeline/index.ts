import { createDataService, type DataService, type DataServiceOptions } from "../dataservice";
import { DEFAULT_PLUGINS_DIRECTORY, loadPluginCatalog, type PluginCatalog } from "../plugins/catalog";
import { JobContextStore } from "./job-context-store";
import { EventPipeline } from "./pipeline";
import { PipelineRecords } from "./pipeline-records";
import { NO_JOB_DISPATCHER, UNCONFIGURED_NOTIFICATIONS, type JobDispatcher, type OrganizationNotifications } from "./ports";
import { registrationWriteHook } from "./registration-rules";
import { RegistrationCache } from "./registrations";
import { readPipelineSettings } from "./settings";
import { StepRunner } from "./step-runner";
import { SystemJobs } from "./system-jobs";

export { EventPipeline, MAX_DEPTH, type Execution, type MessageRequest, type MessageResult } from "./pipeline";
export { JobContextStore } from "./job-context-store";
export { NO_JOB_DISPATCHER, UNCONFIGURED_NOTIFICATIONS, type JobDispatcher, type OrganizationNotifications } from "./ports";
export { ASYNC_PRIMARY_NAME_IMAGE, OBJECT_MODEL_IMPLEMENTATION } from "./operation";
export { RegistrationCache, pluginTypeId } from "./registrations";
export { PIPELINE_SETTINGS, readPipelineSettings, DEFAULT_STEP_TIMEOUT_MS } from "./settings";
export { TraceLogSetting } from "./trace-log";

export interface PipelineServiceOptions extends Omit<DataServiceOptions, "extension"> {
  /** The deployed plug-ins; default: the compiled modules in `plugins/`. */
  plugins?: PluginCatalog;
  /** Told about system jobs after their commit (the asynchronous service); default: nobody. */
  dispatcher?: JobDispatcher;
  /** Posts contexts to an organization's service endpoints (the asynchronous service); default: refuses with a clear error. */
  notifications?: OrganizationNotifications;
  /** Per-step time limit; default: setting PluginStepTimeoutSeconds, else 2 minutes. */
  stepTimeoutMs?: number;
  /** How long an instance reuses an organization's registrations when it did not change them itself. */
  registrationTtlMs?: number;
}

export interface PipelineService extends DataService {
  pipeline: EventPipeline;
  registrations: RegistrationCache;
  jobContexts: JobContextStore;
}

/** The data service with every record message running through the event pipeline. */
export function createPipelineService(options: PipelineServiceOptions = {}): PipelineService {
  const env = options.env ?? process.env;
  const plugins = options.plugins ?? loadPluginCatalog(DEFAULT_PLUGINS_DIRECTORY);
  const stepTimeoutMs = options.stepTimeoutMs ?? readPipelineSettings(env).stepTimeoutMs;
  let parts: Pick<PipelineService, "pipeline" | "registrations" | "jobContexts"> | undefined;
  const service = createDataService({
    ...options,
    extension: ({ store }) => {
      const registrations = new RegistrationCache(store, plugins, options.registrationTtlMs);
      const jobContexts = new JobContextStore(store);
      const runner = new StepRunner(plugins, options.notifications ?? UNCONFIGURED_NOTIFICATIONS, stepTimeoutMs);
      return {
        writeHooks: [registrationWriteHook(store, registrations, plugins)],
        recordOperations: (records) => {
          const pipeline = new EventPipeline({ records, store, registrations, runner, jobs: new SystemJobs(jobContexts), dispatcher: options.dispatcher ?? NO_JOB_DISPATCHER });
          parts = { pipeline, registrations, jobContexts };
          return new PipelineRecords(pipeline, records);
        },
      };
    },
  });
  if (!parts) throw new Error("The data service did not build the pipeline.");
  return { ...service, ...parts };
}
