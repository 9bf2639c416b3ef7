import { attemptDelivery, decideAfterFailure, describeFailure, validateServiceEndpoint, type DeliveryFailure, type DeliveryOutcome, type EndpointPoster } from "../delivery";
import type { TableDefinition } from "../dataservice/metadata/tables";
import type { ColumnValues, StoredRecord } from "../dataservice/store/records";
import { isLookupValue } from "../dataservice/store/records";
import { PipelineError, toPipelineError } from "../errors";
import type { RemoteExecutionContext } from "../model";
import { forgetContext, type JobContextCleaner } from "../pipeline/job-context-store";
import { failedStepTrace } from "../pipeline/step-runner";
import type { UnitOfWork } from "../dataservice/store/unit-of-work";
import { isInvalidPluginExecutionError, OperationStatus } from "../plugins/errors";
import { compileRetryPolicy, type RandomSource } from "../retry";
import { isPausedByUser, JobState, JobStatus } from "./job-states";
import { registrationRow, type CachedRegistrations } from "./registration-rows";
import { ASYNC_OPERATION_TABLE, type JobReference, type SystemJobStore } from "./system-jobs";
import { dateTimeText } from "../dataservice/metadata/edm";
import { fitText } from "../dataservice/store/row-codec";
import type { JobAttemptRecord, JobTelemetry } from "./telemetry";

/**
 * Reads the context a job delivers (with the job's row when it is not known), and drops it once the job
 * Succeeded, in the commit that records it when it can (the pipeline's JobContextStore).
 */
export interface JobContextReader extends JobContextCleaner {
  read(organization: string, jobId: string): Promise<RemoteExecutionContext | undefined>;
  readWithRecord(organization: string, jobId: string, table: TableDefinition, id: string): Promise<{ record?: StoredRecord; context?: RemoteExecutionContext }>;
  stageDelete(uow: UnitOfWork, jobId: string): boolean;
}

/** What the orchestration asks the activity for: the job, and the time it last waited until (if any). */
export interface JobAttemptInput extends JobReference {
  /** A Ready job postponed to this time or earlier is attempted: its wait is over (in the orchestration's time). */
  waitedUntil?: string;
  /**
   * The job's row as its request committed it (first attempt of a dispatched job): not read again, since the
   * In Progress write is conditional on its version: a user's change since then makes it read the row as it is.
   */
  committed?: StoredRecord;
}

/** What the orchestration does next. Plain data: an activity's result. */
export type AttemptResult =
  | { kind: "retry"; delayInMs: number }
  /** A Ready job a user postponed: not attempted, nothing written; wait until then and ask again. */
  | { kind: "postponed"; until: string }
  /** A job a user paused (its row Suspended without postponeuntil): not attempted, nothing written; wait for a resume. */
  | { kind: "paused" }
  | { kind: "completed"; statuscode: number }
  /** The job is gone or already completed (cancelled by a user, finished by an earlier run of this activity). */
  | { kind: "stopped" };

/** Runs an asynchronous plug-in step with its job's context (the pipeline's runJob). */
export type AsyncPluginStepRunner = (organization: string, context: RemoteExecutionContext, correlationUpdatedAt?: Date) => Promise<void>;

export interface JobAttemptDependencies {
  jobs: SystemJobStore;
  contexts: JobContextReader;
  /** Where the job's step and its service endpoint are found (no read per job). */
  registrations: CachedRegistrations;
  poster: EndpointPoster;
  runPluginStep: AsyncPluginStepRunner;
  telemetry: JobTelemetry;
  random?: RandomSource;
}

/** Dataverse makes at most 4 attempts of an asynchronous plug-in that asks for a retry (OperationStatus.Retry). */
export const ASYNC_PLUGIN_RETRY_POLICY = compileRetryPolicy({ maxRetries: 3 });

const isCompleted = (values: ColumnValues) => values.statecode === JobState.Completed;

/**
 * One attempt of a system job, safe to run more than once (activities run at least once): marks the job
 * In Progress, posts its stored context to its step's service endpoint (or runs its plug-in step), and records the outcome —
 * Succeeded (its stored context deleted; the job too with async auto-delete), Waiting with `postponeuntil` and `retrycount` + 1, or Failed
 * with error code and messages. A job a user completed meanwhile (cancel) is left as it is. A repeated
 * post after a crash carries the same MessageId (= OperationId), so Service Bus drops it.
 */
export async function runJobAttempt(deps: JobAttemptDependencies, input: JobAttemptInput): Promise<AttemptResult> {
  const reference: JobReference = { organization: input.organization, jobId: input.jobId };
  const { record: job, context } = input.committed
    ? { record: input.committed, context: await deps.contexts.read(reference.organization, reference.jobId) }
    : await deps.contexts.readWithRecord(reference.organization, reference.jobId, ASYNC_OPERATION_TABLE, reference.jobId);
  if (!job) return { kind: "stopped" };
  const postponed = postponedUntil(job.values, input.waitedUntil);
  if (postponed) return { kind: "postponed", until: postponed };
  const committedAt = commitTimeOf(job);
  // The step and its handler come from the registration cache (a miss reloads it while In Progress is written).
  const work = loadWork(deps, reference, job, context);
  work.catch(() => undefined); // not awaited when the job turns out completed; awaited (and reported) below otherwise
  // Conditional on the row as read: a user's cancel, pause or postpone committed since is read again and holds.
  const started = await deps.jobs.update(
    reference,
    (current) => {
      if (isCompleted(current) || isPausedByUser(current) || postponedUntil(current, input.waitedUntil)) return undefined;
      return { statecode: JobState.Locked, statuscode: JobStatus.InProgress, startedon: current.startedon ?? dateTimeText() };
    },
    job,
  );
  if (!started || isCompleted(started.values)) return { kind: "stopped" };
  // The row decides: a pause whose signal the orchestration missed still holds the job until a resume.
  if (isPausedByUser(started.values)) return { kind: "paused" };
  const postponedMeanwhile = postponedUntil(started.values, input.waitedUntil);
  if (postponedMeanwhile) return { kind: "postponed", until: postponedMeanwhile };
  const retriesSoFar = Number(started.values.retrycount ?? 0);
  // From the job's row first, so that a job whose step or context is gone still logs them.
  const record: JobAttemptRecord = { ...reference, ...rowIdentifiers(started.values), attempt: retriesSoFar + 1, outcome: "stopped" };

  let outcome: DeliveryOutcome;
  let step: StoredRecord | undefined;
  try {
    const loaded = await work;
    step = loaded.step;
    record.stepId = step.id;
    record.correlationId = loaded.context.correlationId;
    record.serviceEndpointId = loaded.endpoint?.serviceendpointid;
    record.handler = loaded.endpoint ? "serviceEndpoint" : "plugin";
    record.contract = loaded.endpoint?.contract;
    outcome = loaded.endpoint
      ? await attemptDelivery(deps.poster, loaded.context, loaded.endpoint, retriesSoFar, { random: deps.random })
      : await attemptPluginStep(deps, reference.organization, loaded.context, started.values, retriesSoFar);
  } catch (error) {
    // Loading the step, its handler or the context failed: no post or plug-in ran.
    outcome = { kind: "fail", failure: describeFailure(error, "systemJob") };
  }
  outcome = storable(outcome);
  let recorded: Recorded;
  try {
    recorded = await recordOutcome(deps, reference, outcome, step, started);
  } catch (error) {
    const failure = toPipelineError(error);
    // Logged every time. A passing fault (storage unavailable) fails the activity and the orchestration; the sweep runs the job again.
    deps.telemetry.attempt({ ...record, outcome: "unrecorded", errorCode: failure.code, message: failure.message });
    if (!refusedByStore(failure)) throw error;
    // The store refuses what this outcome writes, and would every time: the job fails, saying why, instead of running again every sweep.
    outcome = storable({ kind: "fail", failure: { ...describeFailure(failure, "systemJob"), message: `The outcome of the attempt (${outcome.kind}) could not be recorded: ${failure.message}`, friendlyMessage: UNRECORDABLE } });
    recorded = await recordOutcome(deps, reference, outcome, step, started);
  }
  const { result, contextDeleted } = recorded;
  record.outcome = !recorded.written || result.kind === "stopped" ? "stopped" : outcome.kind === "succeeded" ? "succeeded" : outcome.kind === "retry" ? "waiting" : "failed";
  if (outcome.kind === "succeeded") {
    record.truncated = outcome.result.truncated;
    record.latencyInMs = Date.now() - committedAt;
  } else {
    if (outcome.kind === "retry") record.retryDelayInMs = outcome.delayInMs;
    record.errorCode = outcome.failure.code;
    record.message = outcome.failure.message;
  }
  deps.telemetry.attempt(record);
  // After the log line: the job's outcome is recorded; its context is no longer needed (a Failed job's is kept for diagnosis).
  if (recorded.written && result.kind === "completed" && outcome.kind === "succeeded" && !contextDeleted) await forgetContext(deps.contexts, { ...reference, correlationId: record.correlationId });
  return result;
}

/**
 * When a Ready job a user postponed (§F.1: postpone from Ready) may run, if that is still to come: its
 * `postponeuntil` when later than now and than the time the orchestration already waited until. A
 * Waiting job's `postponeuntil` is the orchestration's own business (its timer); resume clears it.
 */
function postponedUntil(job: ColumnValues, waitedUntil: string | undefined): string | undefined {
  if (job.statecode !== JobState.Ready || typeof job.postponeuntil !== "string") return undefined;
  const until = Date.parse(job.postponeuntil);
  if (Number.isNaN(until) || until <= Date.now()) return undefined;
  if (waitedUntil !== undefined && until <= Date.parse(waitedUntil)) return undefined;
  return new Date(until).toISOString();
}

/** The correlation id and step id the job's row holds (the context and step may be gone). */
function rowIdentifiers(job: ColumnValues): Pick<JobAttemptRecord, "correlationId" | "stepId"> {
  const step = job.owningextensionid;
  return {
    correlationId: typeof job.correlationid === "string" ? job.correlationid : undefined,
    stepId: isLookupValue(step) ? step.id : undefined,
  };
}

async function loadWork(deps: JobAttemptDependencies, reference: JobReference, job: StoredRecord, context: RemoteExecutionContext | undefined) {
  const stepRef = job.values.owningextensionid;
  if (!isLookupValue(stepRef)) throw new PipelineError("ValidationFailed", `System job ${reference.jobId} has no owning step (owningextensionid).`);
  const step = await registrationRow(deps.registrations, reference.organization, (registrations) => registrations.stepRow(stepRef.id));
  if (!step) throw new PipelineError("ValidationFailed", `The step ${stepRef.id} of system job ${reference.jobId} no longer exists.`);
  const handlerRef = step.values.eventhandler;
  if (!isLookupValue(handlerRef)) throw new PipelineError("ValidationFailed", `The step ${step.id} has no event handler.`);
  if (!context) throw new PipelineError("Internal", `System job ${reference.jobId} has no stored execution context.`);
  if (handlerRef.logicalName === "plugintype") return { step, context, endpoint: undefined };
  const handler = await registrationRow(deps.registrations, reference.organization, (registrations) => registrations.serviceEndpointRow(handlerRef.id));
  if (!handler) throw new PipelineError("ValidationFailed", `The service endpoint ${handlerRef.id} of step ${step.id} no longer exists.`);
  const endpoint = validateServiceEndpoint({ ...handler.values, serviceendpointid: handler.id });
  return { step, endpoint, context };
}

/**
 * Runs an asynchronous plug-in step once: OperationStatus.Retry waits and tries again (4 attempts in all); any
 * other error fails the job. The job's `message` is the error's, then what the plug-in traced (when it traced
 * anything) in the TraceText layout, as much as Dataverse keeps of a trace.
 */
async function attemptPluginStep(
  deps: JobAttemptDependencies,
  organization: string,
  context: RemoteExecutionContext,
  job: ColumnValues,
  retriesSoFar: number,
): Promise<DeliveryOutcome> {
  const updatedAt = typeof job.correlationupdatedtime === "string" ? new Date(job.correlationupdatedtime) : undefined;
  try {
    await deps.runPluginStep(organization, context, updatedAt);
    return { kind: "succeeded", result: { truncated: false } };
  } catch (error) {
    const decision = decideAfterFailure(error, retriesSoFar, ASYNC_PLUGIN_RETRY_POLICY, deps.random, asksForRetry, "plugin");
    const trace = failedStepTrace(error);
    return trace === undefined ? decision : { ...decision, failure: { ...decision.failure, message: decision.failure.message + trace } };
  }
}

/** The plug-in threw InvalidPluginExecutionException with OperationStatus.Retry (the pipeline's error carries it as `cause`). */
function asksForRetry(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return isInvalidPluginExecutionError(cause) && cause.status === OperationStatus.Retry;
}

const UNRECORDABLE = "The system job's outcome could not be recorded.";

/** The store refused the values themselves (a length, a size): writing them again is refused again. */
function refusedByStore(error: PipelineError): boolean {
  return error.code === "ValidationFailed" || error.code === "MessageTooLarge";
}

/** The outcome with its failure's texts cut to what the job's columns keep (an exception's message can be any length). */
function storable(outcome: DeliveryOutcome): DeliveryOutcome {
  if (outcome.kind === "succeeded") return outcome;
  const { message, friendlyMessage } = outcome.failure;
  const failure = { ...outcome.failure, message: fitText(ASYNC_OPERATION_TABLE, "message", message), friendlyMessage: fitText(ASYNC_OPERATION_TABLE, "friendlymessage", friendlyMessage) };
  return { ...outcome, failure };
}

function failureColumns(failure: DeliveryFailure): ColumnValues {
  return { errorcode: failure.errorCode, message: failure.message, friendlymessage: failure.friendlyMessage };
}

/** What recording an outcome did: the orchestration's next move, whether this run wrote it, and whether the stored context went in the same commit. */
interface Recorded {
  result: AttemptResult;
  /** False when a user or another run of this attempt had decided the job meanwhile: this run's outcome is not recorded. */
  written: boolean;
  contextDeleted: boolean;
}

/**
 * Writes the outcome on the job's row if no user completed it and no other run of this attempt recorded
 * its own meanwhile (the row as In Progress left it, else as read again): activities run at least once,
 * and two runs of one attempt record one outcome, the first written. Succeeded drops the stored context in the same commit (one entity-group transaction:
 * the job's row and its context share the organization's partition); with async auto-delete the job's
 * row is deleted after, only if it is still as written (a batch delete cannot be conditional: a cancel must win).
 */
async function recordOutcome(deps: JobAttemptDependencies, reference: JobReference, outcome: DeliveryOutcome, step: StoredRecord | undefined, started: StoredRecord): Promise<Recorded> {
  const now = new Date();
  let contextDeleted = false;
  let changed = false;
  const alongside = outcome.kind === "succeeded" ? (uow: UnitOfWork) => void (contextDeleted = deps.contexts.stageDelete(uow, reference.jobId)) : undefined;
  const written = await deps.jobs.update(reference, (current): ColumnValues | undefined => {
    contextDeleted = false; // each try: staged again, or not (see stageDelete)
    changed = false;
    // A retry count other than this attempt's: another run of it recorded a failed attempt (a user never writes it).
    if (isCompleted(current) || retryCountOf(current) !== retryCountOf(started.values)) return undefined;
    changed = true;
    switch (outcome.kind) {
      case "succeeded":
        return { statecode: JobState.Completed, statuscode: JobStatus.Succeeded, completedon: dateTimeText(now), ...elapsed(current, now) };
      case "retry":
        return {
          statecode: JobState.Suspended,
          statuscode: JobStatus.Waiting,
          postponeuntil: nextAttemptAt(current, now, outcome.delayInMs),
          retrycount: Number(current.retrycount ?? 0) + 1,
          ...failureColumns(outcome.failure),
        };
      case "fail":
        return { statecode: JobState.Completed, statuscode: JobStatus.Failed, completedon: dateTimeText(now), ...failureColumns(outcome.failure), ...elapsed(current, now) };
    }
  }, started, alongside);
  const stopped = { result: { kind: "stopped" }, written: false, contextDeleted: false } as const;
  if (!written) return stopped;
  const { statecode, statuscode } = written.values;
  if (statecode === JobState.Completed && statuscode === JobStatus.Canceled) return stopped;
  if (!changed) return { result: decidedElsewhere(written.values, now), written: false, contextDeleted: false };
  if (outcome.kind === "retry") {
    // The wait the row shows: the back-off, or longer when a user postponed the job during the attempt.
    const at = typeof written.values.postponeuntil === "string" ? Date.parse(written.values.postponeuntil) : NaN;
    const delayInMs = Number.isNaN(at) ? outcome.delayInMs : Math.max(outcome.delayInMs, at - now.getTime());
    return { result: { kind: "retry", delayInMs }, written: true, contextDeleted: false };
  }
  if (outcome.kind === "succeeded" && step?.values.asyncautodelete === true) await deps.jobs.delete(reference, written);
  return { result: { kind: "completed", statuscode: Number(statuscode) }, written: true, contextDeleted };
}

const retryCountOf = (values: ColumnValues) => Number(values.retrycount ?? 0);

/**
 * The orchestration's next move when another run of this attempt recorded the outcome: the job's completion,
 * or the wait its row shows (none when a user paused it since: the next attempt finds it paused).
 */
function decidedElsewhere(current: ColumnValues, now: Date): AttemptResult {
  if (isCompleted(current)) return { kind: "completed", statuscode: Number(current.statuscode) };
  const at = typeof current.postponeuntil === "string" ? Date.parse(current.postponeuntil) : NaN;
  return { kind: "retry", delayInMs: Number.isNaN(at) ? 0 : Math.max(0, at - now.getTime()) };
}

/**
 * `postponeuntil` after a failed attempt: the later of the back-off and the time a user postponed the job
 * to during the attempt; none when a user paused the job during the attempt (a Suspended row without
 * `postponeuntil` is paused: only a resume attempts it again, see sweep.ts).
 */
function nextAttemptAt(current: ColumnValues, now: Date, delayInMs: number): string | null {
  if (current.statecode === JobState.Suspended) return null;
  const backOff = now.getTime() + delayInMs;
  const postponed = typeof current.postponeuntil === "string" ? Date.parse(current.postponeuntil) : NaN;
  return dateTimeText(new Date(Number.isNaN(postponed) ? backOff : Math.max(backOff, postponed)));
}

/**
 * When the job was committed, to the millisecond while its row is as the commit wrote it (storage's write
 * time); after a change (an earlier attempt, a user's) `createdon`, which has whole seconds only.
 */
function commitTimeOf(job: StoredRecord): number {
  const untouched = job.values.startedon == null && job.values.modifiedon === job.values.createdon;
  const written = untouched && job.writtenOn ? Date.parse(job.writtenOn) : NaN;
  return Number.isNaN(written) ? Date.parse(String(job.values.createdon)) : written;
}

function elapsed(current: ColumnValues, now: Date): ColumnValues {
  const startedOn = Date.parse(String(current.startedon));
  return Number.isNaN(startedOn) ? {} : { executiontimespan: (now.getTime() - startedOn) / 60_000 };
}
