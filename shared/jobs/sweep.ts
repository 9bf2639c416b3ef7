import { JobState } from "./job-states";
import type { JobOrchestrations } from "./orchestrations";
import type { SystemJobStore } from "./system-jobs";

export interface SweepResult {
  /** Jobs whose orchestration was missing and is now started. */
  started: string[];
}

/** Jobs looked at concurrently. */
const PARALLEL = 8;

/**
 * Starts an orchestration for every open job (Ready, Waiting, In Progress) of the organizations that has
 * none running: a crash between the commit and the start, or an instance lost, delays a job but never
 * loses it. A Waiting job's orchestration, and a Ready job's a user postponed, waits until its
 * `postponeuntil` first; a job a user paused gets none (its resume makes it Ready and starts its orchestration at once).
 */
export async function sweepSystemJobs(jobs: SystemJobStore, organizations: readonly string[], orchestrations: JobOrchestrations): Promise<SweepResult> {
  const started: string[] = [];
  for (const organization of organizations) {
    const open = await jobs.listOpen(organization);
    for (let index = 0; index < open.length; index += PARALLEL) {
      await Promise.all(
        open.slice(index, index + PARALLEL).map(async (job) => {
          if (await orchestrations.isRunning(job.id)) return;
          // The list is a snapshot: a job whose orchestration finished since then is completed, and needs none.
          const current = await jobs.read({ organization, jobId: job.id });
          if (!current || current.values.statecode === JobState.Completed) return;
          const { statecode, postponeuntil } = current.values;
          // A Suspended job without postponeuntil was paused by a user (pause clears it; a failed attempt sets it): only a resume runs it again.
          if (statecode === JobState.Suspended && typeof postponeuntil !== "string") return;
          const input = { organization, jobId: job.id, notBefore: typeof postponeuntil === "string" && statecode !== JobState.Locked ? postponeuntil : undefined };
          if (await orchestrations.start(input)) started.push(job.id);
        }),
      );
    }
  }
  return { started };
}
