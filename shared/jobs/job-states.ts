import { PipelineError } from "../errors";

/** `asyncoperation.statecode` (reference §F.1). */
export const JobState = { Ready: 0, Suspended: 1, Locked: 2, Completed: 3 } as const;

/** `asyncoperation.statuscode` (reference §F.1). */
export const JobStatus = {
  WaitingForResources: 0,
  Waiting: 10,
  InProgress: 20,
  Pausing: 21,
  Canceling: 22,
  Succeeded: 30,
  Failed: 31,
  Canceled: 32,
} as const;

/** `asyncoperation.operationtype` of a job an asynchronous step creates (§F.2). */
export const SYSTEM_EVENT_OPERATION_TYPE = 1;

/** The columns a user may change on a system job (§F.1). */
export const UPDATABLE_JOB_COLUMNS = ["statecode", "statuscode", "postponeuntil"] as const;

/** What a user's change to a system job asks of its orchestration. */
export type JobChange = "cancel" | "pause" | "resume" | "postpone";

interface JobStateColumns {
  statecode?: unknown;
  statuscode?: unknown;
  postponeuntil?: unknown;
}

function refuse(reason: string): never {
  throw new PipelineError("ValidationFailed", `asyncoperation: ${reason}`);
}

/**
 * A Suspended job without `postponeuntil` was paused by a user (a pause clears it; a failed attempt sets
 * it): nothing attempts it until a resume makes it Ready.
 */
export function isPausedByUser(job: JobStateColumns): boolean {
  return job.statecode === JobState.Suspended && typeof job.postponeuntil !== "string";
}

/**
 * Which §F.1 transition a user's update of a system job is, or a 400 saying why it is not one:
 * cancel (0/1/2 → 3/32), pause (2 → 1), resume (1 → 0), postpone (`postponeuntil` alone, from 0 or 2).
 * Only `statecode`, `statuscode` and `postponeuntil` may be written. Returns the columns to write
 * (a state given alone gets its default status; a pause or resume also clears `postponeuntil`, which a
 * resume may set again).
 */
export function checkJobChange(current: JobStateColumns, changes: Record<string, unknown>): { change: JobChange; values: Record<string, unknown> } {
  const other = Object.keys(changes).filter((column) => !(UPDATABLE_JOB_COLUMNS as readonly string[]).includes(column));
  if (other.length > 0) refuse(`only statecode, statuscode and postponeuntil can be updated, not ${other.join(", ")}.`);
  const from = Number(current.statecode);
  if ("statecode" in changes) {
    const to = Number(changes.statecode);
    const transition = TRANSITIONS.find((candidate) => candidate.to === to && candidate.from.includes(from));
    if (!transition) refuse(`a system job in state ${from} cannot move to state ${to} (allowed: cancel 0/1/2→3, pause 2→1, resume 1→0).`);
    const status = "statuscode" in changes ? Number(changes.statuscode) : transition.status;
    if (status !== transition.status) refuse(`state ${to} is reached by ${transition.change} with status ${transition.status}, not ${status}.`);
    // A pause or resume clears postponeuntil (a resume may set a new one): a Suspended row without one is
    // paused by a user, with one Waiting after a failed attempt; a resumed job is attempted now.
    const cleared = transition.change === "cancel" ? {} : transition.change === "pause" ? { postponeuntil: null } : { postponeuntil: null, ...changes };
    return { change: transition.change, values: { ...changes, ...cleared, statecode: to, statuscode: status } };
  }
  if ("statuscode" in changes) refuse("set statecode with statuscode.");
  if (!("postponeuntil" in changes)) refuse("nothing to change.");
  if (from !== JobState.Ready && from !== JobState.Locked) refuse(`a system job in state ${from} cannot be postponed (only Ready or Locked).`);
  if (changes.postponeuntil === null || Number.isNaN(Date.parse(String(changes.postponeuntil)))) refuse("postponeuntil must be a date and time.");
  return { change: "postpone", values: changes };
}

const TRANSITIONS: { change: Exclude<JobChange, "postpone">; from: number[]; to: number; status: number }[] = [
  { change: "cancel", from: [JobState.Ready, JobState.Suspended, JobState.Locked], to: JobState.Completed, status: JobStatus.Canceled },
  { change: "pause", from: [JobState.Locked], to: JobState.Suspended, status: JobStatus.Waiting },
  { change: "resume", from: [JobState.Suspended], to: JobState.Ready, status: JobStatus.WaitingForResources },
];
