import type { OrchestrationContext, Task } from "durable-functions";
import type { JobChange } from "./job-states";
import type { AttemptResult, JobAttemptInput } from "./job-attempt";
import type { JobOrchestrationInput } from "./orchestrations";

/** Durable function names (an orchestration per system job, instance id = the job's id). */
export const SYSTEM_JOB_ORCHESTRATION = "systemJobOrchestration";
export const SYSTEM_JOB_ATTEMPT_ACTIVITY = "systemJobAttempt";
/** The custom status of an orchestration that waits for a resume (what the sweep looks for). */
export const PAUSED_STATUS = "paused";
const RESUMED_STATUS = "resumed";
/** External event a user's change of a job raises (payload: JobSignal). */
export const JOB_CHANGED_EVENT = "jobChanged";

export interface JobSignal {
  change: Exclude<JobChange, "cancel">;
  postponeuntil?: string;
  /**
   * A resume the sweep sends again because the job's row is Ready (the user's signal may have been lost):
   * it counts only while the orchestration waits paused, so a repeated one never cuts a back-off short.
   */
  ifPaused?: boolean;
}

/**
 * Attempts the job until it completes; between attempts waits on a durable timer for the back-off the
 * attempt asked for. A user's change reaches it whenever it is sent: while waiting, a resume attempts at
 * once, a pause waits for resume, a postpone waits until the new time; sent during an attempt, it counts
 * once the attempt is over (a pause holds the next attempt until resume, a postpone delays it to the later
 * of the back-off and the new time). A cancel terminates the instance. The job's row decides when a signal
 * was lost: an attempt of a job the row shows paused waits for resume, and the sweep resumes a paused
 * orchestration whose row is Ready. Input and history carry the job reference, times and, from the
 * request's start, the job's row as committed (its version: the first attempt need not read it again), never
 * the context, which the activity loads.
 */
export function* systemJobOrchestrator(context: OrchestrationContext): Generator<Task, AttemptResult, unknown> {
  const input = context.df.getInput() as JobOrchestrationInput;
  const changes = new JobChanges(context);
  let due = input.notBefore ? new Date(input.notBefore) : undefined;
  let afterRetry = false;
  let paused = false;
  // The row as committed serves the first attempt only: any attempt writes the row, and a later one reads it.
  let committed = input.committed;
  for (;;) {
    const waited = yield* waitUntil(context, changes, due, afterRetry, paused);
    paused = false;
    const attempt: JobAttemptInput = { organization: input.organization, jobId: input.jobId };
    if (committed) attempt.committed = committed;
    committed = undefined;
    // A postponed Ready job's attempt does not run before its postponeuntil, unless this wait was for it.
    if (waited) attempt.waitedUntil = waited.toISOString();
    const result = (yield context.df.callActivity(SYSTEM_JOB_ATTEMPT_ACTIVITY, attempt)) as AttemptResult;
    if (result.kind === "postponed") {
      due = new Date(result.until);
      afterRetry = false;
      continue;
    }
    if (result.kind === "paused") {
      due = undefined;
      afterRetry = false;
      paused = true;
      continue;
    }
    if (result.kind !== "retry") return result;
    due = new Date(context.df.currentUtcDateTime.getTime() + result.delayInMs);
    afterRetry = true;
  }
}

/**
 * The `jobChanged` waiters of one instance. durable-functions gives an event to the newest open waiter of
 * its name, and a waiter stays open once a timer won over it: an event raised during an attempt goes to
 * such an abandoned waiter, not to the next wait's. So each wait's waiter, when its timer wins, is kept,
 * and what reached kept waiters is read after the attempt. Waits for external events record no history,
 * so instances started before this read their histories the same way.
 */
class JobChanges {
  private abandoned: Task[] = [];

  constructor(private readonly context: OrchestrationContext) {}

  /** A waiter for the next change; yield it once (each yield registers it as open again). */
  next(): Task {
    return this.context.df.waitForExternalEvent(JOB_CHANGED_EVENT);
  }

  /** A waiter its timer won over: it stays open and takes the next event if it is the newest. */
  abandon(waiter: Task): void {
    this.abandoned.push(waiter);
  }

  /** Changes that reached abandoned waiters since the last call, in the order they were raised (the newest waiter took the first). */
  receivedMeanwhile(): JobSignal[] {
    const received = this.abandoned.filter((waiter) => waiter.isCompleted);
    if (received.length === 0) return [];
    this.abandoned = this.abandoned.filter((waiter) => !waiter.isCompleted);
    return received.reverse().map((waiter) => waiter.result as JobSignal);
  }
}

/**
 * Waits on a durable timer until `due`, or less or more as a user's changes say (those sent during the
 * attempt before first). `afterRetry`: the job is Waiting after a failed attempt, so a postpone was sent
 * during that attempt and keeps the later of the back-off and its time; otherwise (a Ready job waiting for
 * its postponeuntil) a postpone moves the time. `paused`: the attempt found the job paused; only a resume ends the wait.
 * Returns the time it waited until (undefined: none, attempt now).
 */
function* waitUntil(context: OrchestrationContext, changes: JobChanges, due: Date | undefined, afterRetry: boolean, paused: boolean): Generator<Task, Date | undefined, unknown> {
  const apply = (signal: JobSignal) => {
    if (signal.ifPaused && !paused) return;
    paused = signal.change === "pause";
    if (signal.change === "resume") due = undefined;
    if (signal.change === "postpone" && signal.postponeuntil) {
      const at = new Date(signal.postponeuntil);
      due = afterRetry && due && due > at ? due : at;
    }
  };
  changes.receivedMeanwhile().forEach(apply);
  for (;;) {
    if (paused) {
      context.df.setCustomStatus(PAUSED_STATUS);
      apply((yield changes.next()) as JobSignal);
      // Not null: the library drops a falsy custom status, and the status would stay "paused".
      if (!paused) context.df.setCustomStatus(RESUMED_STATUS);
      continue;
    }
    if (!due) return undefined;
    if (due <= context.df.currentUtcDateTime) return due;
    const timer = context.df.createTimer(due);
    const changed = changes.next();
    const winner = yield context.df.Task.any([timer, changed]);
    if (winner === timer) {
      changes.abandon(changed);
      return due;
    }
    timer.cancel();
    apply(changed.result as JobSignal);
  }
}
