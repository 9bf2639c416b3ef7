import { isPausedByUser, JobState } from "./job-states";
import type { ColumnValues } from "../dataservice/store/records";
import type { JobOrchestrations } from "./orchestrations";
import type { SystemJobStore } from "./system-jobs";
import { boundedIds, LOG_EVENTS, type LogEvent } from "../telemetry/structured-log";

export interface SweepResult {
  /** Jobs whose orchestration was missing and is now started. */
  started: string[];
  /** Ready jobs whose orchestration waited paused (the user's resume did not reach it) and was sent the resume again. */
  resumed: string[];
}

/** Jobs looked at concurrently. */
const PARALLEL = 8;

/**
 * The sweep looks only at jobs whose row was last written before this time: `graceMs` ago, or before this
 * process started, whichever is later. A job written since then is in the hands of its orchestration or of
 * the dispatcher that is starting one (under load a start can trail its commit by a moment), and a sweep
 * that started it too would log a lost orchestration that was never lost.
 */
export function sweepCutoff(processStartedAt: number, graceMs: number, now = Date.now()): Date {
  return new Date(Math.max(processStartedAt, now - graceMs));
}

/**
 * Starts an orchestration for every open job (Ready, Waiting, In Progress) of the organizations that has
 * none running: a crash between the commit and the start, or an instance lost, delays a job but never
 * loses it. With `untouchedSince` (see sweepCutoff), only jobs whose row was last written before it. A Waiting job's orchestration, and a Ready job's a user postponed, waits until its
 * `postponeuntil` first; a job a user paused gets none (its resume makes it Ready and starts its orchestration at once).
 * The row decides when a user's resume did not reach the orchestration: a Ready job due now whose
 * orchestration waits paused is sent the resume again (one that is no longer paused when it arrives ignores it).
 */
export async function sweepSystemJobs(
  jobs: SystemJobStore,
  organizations: readonly string[],
  orchestrations: JobOrchestrations,
  untouchedSince?: Date,
): Promise<SweepResult> {
  const started: string[] = [];
  const resumed: string[] = [];
  for (const organization of organizations) {
    const open = await jobs.listOpen(organization, untouchedSince);
    for (let index = 0; index < open.length; index += PARALLEL) {
      await Promise.all(
        open.slice(index, index + PARALLEL).map(async (job) => {
          const state = await orchestrations.state(job.id);
          if (state !== "none") {
            if (state === "paused" && isDueReady(job.values)) {
              await orchestrations.signal(job.id, { change: "resume", ifPaused: true });
              resumed.push(job.id);
            }
            return;
          }
          // The list is a snapshot: a job whose orchestration finished since then is completed, and needs none.
          const current = await jobs.read({ organization, jobId: job.id });
          if (!current || current.values.statecode === JobState.Completed) return;
          const { statecode, postponeuntil } = current.values;
          if (isPausedByUser(current.values)) return;
          const input = { organization, jobId: job.id, notBefore: typeof postponeuntil === "string" && statecode !== JobState.Locked ? postponeuntil : undefined };
          if (await orchestrations.start(input)) started.push(job.id);
        }),
      );
    }
  }
  return { started, resumed };
}

/** Ready, and not postponed to a time still to come (the list's snapshot: a resume sent again is harmless). */
function isDueReady(job: ColumnValues): boolean {
  if (job.statecode !== JobState.Ready) return false;
  return typeof job.postponeuntil !== "string" || !(Date.parse(job.postponeuntil) > Date.now());
}

/**
 * What a sweep logs when it did something: how many orchestrations it started (missing ones: a warning,
 * as something lost them) and resumed, with their job ids (a bounded list).
 */
export function sweepLogEvent({ started, resumed }: SweepResult): LogEvent | undefined {
  if (started.length === 0 && resumed.length === 0) return undefined;
  const parts = [
    started.length > 0 ? `started the orchestration of ${started.length} system job(s) that had none` : "",
    resumed.length > 0 ? `resumed the paused orchestration of ${resumed.length} Ready system job(s)` : "",
  ];
  return {
    event: LOG_EVENTS.sweep,
    severity: started.length > 0 ? "warning" : "information",
    message: `The system job sweep ${parts.filter(Boolean).join(" and ")}`,
    fields: {
      startedCount: started.length,
      startedJobIds: started.length > 0 ? boundedIds(started) : undefined,
      resumedCount: resumed.length,
      resumedJobIds: resumed.length > 0 ? boundedIds(resumed) : undefined,
    },
  };
}
