import type { RecordWriteHook } from "../dataservice/record-service";
import type { ColumnValues } from "../dataservice/store/records";
import { PipelineError } from "../errors";
import { forgetContext, type JobContextCleaner } from "../pipeline/job-context-store";
import { JobState, JobStatus, checkJobChange } from "./job-states";
import type { JobOrchestrations } from "./orchestrations";
import type { SystemJobStore } from "./system-jobs";
import { failureEvent, LOG_EVENTS, structuredLog, type StructuredLog } from "../telemetry/structured-log";

/** What the rule needs to delete a cancelled or deleted job's stored context. */
export interface JobContextCleanup {
  contexts: JobContextCleaner;
  /** To check the row still shows the user's change before its context goes. */
  jobs: Pick<SystemJobStore, "read">;
}

const isCanceled = (values: ColumnValues | undefined) => values?.statecode === JobState.Completed && values.statuscode === JobStatus.Canceled;

/**
 * The data service's rule for `asyncoperation`: no creates through the service (400; the pipeline
 * stages jobs itself); updates only as §F.1's transitions (400 otherwise); once committed, a cancel or delete terminates the job's orchestration and a pause, resume
 * or postpone is raised to it, and a cancelled or deleted job's stored context is deleted. Without orchestrations (no durable client yet) the row alone still
 * decides: an attempt never starts for a completed job.
 */
export function systemJobWriteRule(
  orchestrations: () => JobOrchestrations | undefined,
  cleanup?: JobContextCleanup,
  log: StructuredLog = structuredLog,
): RecordWriteHook {
  const tell = async (organization: string, jobId: string, change: string, action: (control: JobOrchestrations) => Promise<void>) => {
    const control = orchestrations();
    if (!control) return;
    await action(control).catch((error: unknown) => {
      log(failureEvent(LOG_EVENTS.jobChangeNotTold, "warning", error, (cause) => `System job ${jobId} ${change}: the orchestration was not told (${cause}); the job's row decides.`, { organization, jobId, change }));
    });
  };
  /** Deletes the job's context if its row, read again, shows the change committed (`committed`). */
  const forget = async (organization: string, jobId: string, committed: (values: ColumnValues | undefined) => boolean) => {
    if (!cleanup) return;
    const row = await cleanup.jobs.read({ organization, jobId }).catch(() => null);
    if (row !== null && committed(row?.values)) await forgetContext(cleanup.contexts, { organization, jobId }, log);
  };
  return {
    tables: new Set(["asyncoperation"]),
    create() {
      throw new PipelineError("ValidationFailed", "asyncoperation: system jobs are created by the platform (asynchronous steps), not through the Web API.");
    },
    update(organization, current, changes) {
      const { change, values } = checkJobChange(current.values, changes);
      const afterCommit = async () =>
        change === "cancel"
          ? Promise.all([tell(organization, current.id, "cancel", (control) => control.terminate(current.id, "Canceled by a user")), forget(organization, current.id, isCanceled)]).then(() => undefined)
          : tell(organization, current.id, change, async (control) => {
              await control.signal(current.id, { change, postponeuntil: typeof values.postponeuntil === "string" ? values.postponeuntil : undefined });
              // A paused job may have no orchestration (the sweep starts none for it): the resume starts one.
              if (change === "resume" && (await control.state(current.id)) === "none") await control.start({ organization, jobId: current.id });
            });
      return { values: values as typeof changes, afterCommit };
    },
    afterDelete: async (organization, deleted) => {
      await Promise.all([tell(organization, deleted.id, "delete", (control) => control.terminate(deleted.id, "Deleted by a user")), forget(organization, deleted.id, (values) => values === undefined)]);
    },
  };
}
