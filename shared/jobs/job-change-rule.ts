import type { RecordWriteHook } from "../dataservice/record-service";
import { PipelineError } from "../errors";
import { forgetContext, type JobContextCleaner } from "../pipeline/job-context-store";
import { checkJobChange } from "./job-states";
import type { JobOrchestrations } from "./orchestrations";

/**
 * The data service's rule for `asyncoperation`: no creates through the service (400; the pipeline
 * stages jobs itself); updates only as §F.1's transitions (400 otherwise); once committed, a cancel or delete terminates the job's orchestration and a pause, resume
 * or postpone is raised to it, and a cancelled or deleted job's stored context is deleted. Without orchestrations (no durable client yet) the row alone still
 * decides: an attempt never starts for a completed job.
 */
export function systemJobWriteRule(
  orchestrations: () => JobOrchestrations | undefined,
  contexts?: JobContextCleaner,
  log: (message: string) => void = console.warn,
): RecordWriteHook {
  const tell = async (what: string, action: (control: JobOrchestrations) => Promise<void>) => {
    const control = orchestrations();
    if (!control) return;
    await action(control).catch((error: unknown) => log(`system job ${what}: the orchestration was not told (${(error as Error)?.message ?? String(error)}); the job's row decides.`));
  };
  const forget = async (organization: string, jobId: string) => {
    if (contexts) await forgetContext(contexts, { organization, jobId }, log);
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
          ? Promise.all([tell(`${current.id} cancel`, (control) => control.terminate(current.id, "Canceled by a user")), forget(organization, current.id)]).then(() => undefined)
          : tell(`${current.id} ${change}`, (control) => control.signal(current.id, { change, postponeuntil: typeof values.postponeuntil === "string" ? values.postponeuntil : undefined }));
      return { values: values as typeof changes, afterCommit };
    },
    afterDelete: async (organization, deleted) => {
      await Promise.all([tell(`${deleted.id} delete`, (control) => control.terminate(deleted.id, "Deleted by a user")), forget(organization, deleted.id)]);
    },
  };
}
