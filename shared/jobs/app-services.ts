import { createEndpointPoster, readOrganizationDomain } from "../delivery";
import { createPipelineService, type PipelineService, type PipelineServiceOptions } from "../pipeline";
import { createJobDispatcher } from "./dispatcher";
import { currentJobOrchestrations } from "./durable-client";
import { createEndpointNotificationService } from "./notifications";
import { cachedRegistrationsOf } from "./registration-rows";
import { createJobRuntime, readReplyTimeoutInMs, type JobRuntime } from "./runtime";
import type { MeterProvider } from "@opentelemetry/api";
import type { LoggerProvider } from "@opentelemetry/api-logs";
import { createStructuredLog } from "../telemetry/structured-log";
import { createJobTelemetry } from "./telemetry";

/** Everything the Functions app's entries call, built once per worker. */
export interface AppServices {
  /** The Web API with the event pipeline and the asynchronous service's ports. */
  pipeline: PipelineService;
  /** What the system-job orchestration, activity and sweep call. */
  jobs: JobRuntime;
  /** Closes the Service Bus and Event Hubs clients. */
  close(): Promise<void>;
}

export interface AppServicesOptions extends Pick<PipelineServiceOptions, "plugins" | "settings"> {
  /**
   * Where the job telemetry's metrics and log records go (attempts and posts; tests read them); default the global
   * providers (Azure Monitor's once started). The follow-up failure events always use the app's structured log.
   */
  telemetry?: { meterProvider?: MeterProvider; loggerProvider?: LoggerProvider };
}

/**
 * The one composition root: the Web API and the system jobs share one pipeline service (so one
 * registration cache, invalidated by the Web API's own writes), one endpoint poster (one Service Bus
 * client per namespace, the reply timeout setting for synchronous and asynchronous posts alike) and one
 * telemetry.
 */
export function createAppServices(
  env: Record<string, string | undefined> = process.env,
  { telemetry: providers, ...options }: AppServicesOptions = {},
): AppServices {
  const telemetry = createJobTelemetry({
    meter: providers?.meterProvider?.getMeter("event-pipeline.jobs"),
    log: providers?.loggerProvider ? createStructuredLog({ loggerProvider: providers.loggerProvider }) : undefined,
  });
  const poster = createEndpointPoster({ env, observer: (event) => telemetry.post(event), replyTimeoutInMs: readReplyTimeoutInMs(env), organizationDomain: readOrganizationDomain(env) });
  // The notification service finds endpoints in the registration cache of the pipeline it serves.
  const registrations = () => cachedRegistrationsOf(pipeline);
  const pipeline: PipelineService = createPipelineService({
    ...options,
    env,
    jobOrchestrations: currentJobOrchestrations,
    dispatcher: createJobDispatcher(currentJobOrchestrations),
    notifications: createEndpointNotificationService(registrations, poster),
  });
  return { pipeline, jobs: createJobRuntime({ env, telemetry, pipeline, poster }), close: () => poster.close() };
}

let services: AppServices | undefined;

/** This worker's services, built on first use. */
export function appServices(): AppServices {
  return (services ??= createAppServices());
}
