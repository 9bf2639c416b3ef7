import type { OrchestrationContext, Task } from "durable-functions";
import type { JobChange } from "./job-states";
import type { AttemptResult } from "./job-attempt";
import type { JobOrchestrationInput } from "./orchestrations";
import type { JobReference } from "./system-jobs";

/** Durable function names (an orchestration per system job, instance id = the job's id). */
export const SYSTEM_JOB_ORCHESTRATION = "systemJobOrchestration";
export const SYSTEM_JOB_ATTEMPT_ACTIVITY = "systemJobAttempt";
/** External event a user's change of a waiting job raises (payload: JobSignal). */
export const JOB_CHANGED_EVENT = "jobChanged";

export interface JobSignal {
  change: Exclude<JobChange, "cancel">;
  postponeuntil?: string;
}

/**
 * Attempts the job until it completes; between attempts waits on a durable timer for the back-off the
 * attempt asked for. While waiting, a user's resume attempts at once, a pause waits for resume, a
 * postpone waits until the new time (a cancel terminates the instance). Input and history carry only
 * the job reference; the context is loaded by the activity.
 */
export function* systemJobOrchestrator(context: OrchestrationContext): Generator<Task, AttemptResult, unknown> {
  const input = context.df.getInput() as JobOrchestrationInput;
  const reference: JobReference = { organization: input.organization, jobId: input.jobId };
  let due = input.notBefore ? new Date(input.notBefore) : undefined;
  for (;;) {
    if (due && due > context.df.currentUtcDateTime) yield* waitUntil(context, due);
    const result = (yield context.df.callActivity(SYSTEM_JOB_ATTEMPT_ACTIVITY, reference)) as AttemptResult;
    if (result.kind !== "retry") return result;
    due = new Date(context.df.currentUtcDateTime.getTime() + result.delayInMs);
  }
}

/** Waits on a durable timer until `due`, or less or more as a user's change of the job says. */
function* waitUntil(context: OrchestrationContext, due: Date | undefined): Generator<Task, void, unknown> {
  while (due) {
    const timer = context.df.createTimer(due);
    const changed = context.df.waitForExternalEvent(JOB_CHANGED_EVENT);
    const winner = yield context.df.Task.any([timer, changed]);
    if (winner === timer) return;
    timer.cancel();
    due = yield* nextWake(context, changed.result as JobSignal);
  }
}

/** When to wake after a user's change: undefined = attempt now. */
function* nextWake(context: OrchestrationContext, signal: JobSignal): Generator<Task, Date | undefined, unknown> {
  let current = signal;
  while (current.change === "pause") current = (yield context.df.waitForExternalEvent(JOB_CHANGED_EVENT)) as JobSignal;
  if (current.change === "postpone" && current.postponeuntil) {
    const at = new Date(current.postponeuntil);
    return at > context.df.currentUtcDateTime ? at : undefined;
  }
  return undefined;
}
