import { jobsNotStartedEvent, type JobDispatcher } from "../pipeline/ports";
import { structuredLog, type StructuredLog } from "../telemetry/structured-log";
import type { JobOrchestrations } from "./orchestrations";

export type { JobDispatcher } from "../pipeline/ports";

/**
 * Starts each committed job's orchestration at once. Starts that fail are only logged (one warning for
 * them, with the first failure's error): the jobs stay Ready in storage and the sweep starts them.
 */
export function createJobDispatcher(orchestrations: () => JobOrchestrations | undefined, log: StructuredLog = structuredLog): JobDispatcher {
  return {
    async jobsCommitted(organization, jobs, correlationId) {
      const control = orchestrations();
      if (!control) return;
      const failed: { jobId: string; error: unknown }[] = [];
      await Promise.all(jobs.map(({ id, row }) => control.start({ organization, jobId: id, committed: row }).catch((error: unknown) => void failed.push({ jobId: id, error }))));
      if (failed.length === 0) return;
      log(jobsNotStartedEvent({ organization, jobIds: failed.map((failure) => failure.jobId), correlationId, error: failed[0].error, severity: "warning" }));
    },
  };
}
