import { RecordStore } from "../dataservice";
import { createRecordsTableClient } from "../dataservice/store/table-client";
import { createEndpointPoster } from "../delivery";
import type { PipelineServiceOptions } from "../pipeline";
import { createJobDispatcher } from "./dispatcher";
import { currentJobOrchestrations } from "./durable-client";
import { createStoredEndpointNotificationService } from "./notifications";
import { createJobTelemetry } from "./telemetry";

/**
 * What the asynchronous service gives the pipeline in the Functions app: the dispatcher that starts a
 * committed job's orchestration, the §F.1 rule's hold on orchestrations, and the notification service
 * for synchronous service-endpoint steps and plug-ins.
 */
export function asynchronousServicePorts(env: Record<string, string | undefined> = process.env): Pick<PipelineServiceOptions, "jobOrchestrations" | "dispatcher" | "notifications"> {
  const telemetry = createJobTelemetry();
  const poster = createEndpointPoster({ env, observer: (event) => telemetry.post(event) });
  return {
    jobOrchestrations: currentJobOrchestrations,
    dispatcher: createJobDispatcher(currentJobOrchestrations),
    notifications: createStoredEndpointNotificationService(new RecordStore(createRecordsTableClient(env)), poster),
  };
}
