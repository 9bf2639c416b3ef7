import { PipelineError } from "../errors";
import type { EntityReference, RemoteExecutionContext } from "../model";
import type { IServiceEndpointNotificationService } from "../plugins/types";

/**
 * Told after a commit that wrote asyncoperation rows (state Ready), so the asynchronous service starts
 * them. Called only after a successful commit; a failure here does not undo the operation (the jobs
 * stay Ready in storage for a sweeper to pick up).
 */
export interface JobDispatcher {
  jobsCommitted(organization: string, jobIds: string[]): Promise<void>;
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
