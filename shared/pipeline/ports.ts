import { PipelineError } from "../errors";
import { boundedIds, failureEvent, LOG_EVENTS, type LogEvent, type LogSeverity } from "../telemetry/structured-log";
import type { EntityReference, RemoteExecutionContext } from "../model";
import type { StoredRecord } from "../dataservice/store/records";
import type { IServiceEndpointNotificationService } from "../plugins/types";

/**
 * Told after a commit that wrote asyncoperation rows (state Ready), so the asynchronous service starts
 * them. Called only after a successful commit; a failure here does not undo the operation (the jobs
 * stay Ready in storage for a sweeper to pick up).
 */
export interface JobDispatcher {
  /** `correlationId`: of the pipeline execution that committed the jobs. */
  jobsCommitted(organization: string, jobs: readonly CommittedJob[], correlationId?: string): Promise<void>;
}

/** A committed job: its id and its asyncoperation row as committed, with its version (its first attempt need not read it again). */
export interface CommittedJob {
  id: string;
  row?: StoredRecord;
}

/**
 * Committed jobs whose orchestration did not start at once, as logged: they stay Ready and the sweep
 * starts them (a warning); `error` when the dispatcher itself failed rather than a start.
 */
export function jobsNotStartedEvent(failed: { organization: string; jobIds: readonly string[]; correlationId?: string; error: unknown; severity: LogSeverity }): LogEvent {
  return failureEvent(LOG_EVENTS.jobsNotStarted, failed.severity, failed.error, (cause) => `System jobs of ${failed.organization} not started at once (${cause}); they stay Ready and the sweep starts them.`, {
    organization: failed.organization,
    correlationId: failed.correlationId,
    jobCount: failed.jobIds.length,
    jobIds: boundedIds(failed.jobIds),
  });
}

export const NO_JOB_DISPATCHER: JobDispatcher = { jobsCommitted: async () => undefined };

/**
 * The notification service of the organization a step runs in: it posts to that organization's service
 * endpoints only, whatever organization the context it is given names (a plug-in builds that context).
 */
export type OrganizationNotifications = (organization: string) => IServiceEndpointNotificationService;

/** Until the asynchronous service provides one: every post fails with a clear error. */
export const UNCONFIGURED_NOTIFICATIONS: OrganizationNotifications = () => ({
  execute(serviceEndpoint: EntityReference, _context: RemoteExecutionContext): Promise<string> {
    return Promise.reject(new PipelineError("Internal", `No service endpoint notification service is configured; cannot post to serviceendpoint ${serviceEndpoint.id}.`));
  },
});
