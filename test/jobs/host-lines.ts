import { instanceStatus, type HostUnderTest } from "../host/run-host";
import { structuredLines } from "../support/system-jobs";

/** What the local host logged, as the system-job tests read it. */

/** A durable timer of a job's orchestration, from its history: what it was asked for and when it fired. */
export interface JobTimer {
  /** FireAt − the orchestration time it was created at: the wait the orchestration asked for. */
  requestedMs: number;
  /** When the attempt before it completed, in real time (the timer was created after that). */
  afterAttemptAt: number;
  /** When it fired, in real time. */
  firedAt: number;
}

interface HistoryEvent {
  EventType: number;
  EventId?: number;
  TimerId?: number;
  Timestamp: string;
  FireAt?: string;
}

const TASK_COMPLETED = 5;

async function historyOf(host: HostUnderTest, jobId: string): Promise<HistoryEvent[]> {
  return ((await instanceStatus(host, jobId, { history: true }))?.historyEvents ?? []) as unknown as HistoryEvent[];
}
const TIMER_CREATED = 10;
const TIMER_FIRED = 11;

/** The timers a job's orchestration created after an attempt and that fired, in order, read from its history through the Durable status API. */
export async function jobTimers(host: HostUnderTest, jobId: string): Promise<JobTimer[]> {
  const historyEvents = await historyOf(host, jobId);
  const fired = new Map(historyEvents.filter((e) => e.EventType === TIMER_FIRED).map((e) => [e.TimerId, Date.parse(e.Timestamp)]));
  const timers: JobTimer[] = [];
  let afterAttemptAt = NaN;
  for (const e of historyEvents) {
    if (e.EventType === TASK_COMPLETED) afterAttemptAt = Date.parse(e.Timestamp);
    const firedAt = fired.get(e.EventId);
    if (e.EventType === TIMER_CREATED && firedAt !== undefined) timers.push({ requestedMs: Date.parse(String(e.FireAt)) - Date.parse(e.Timestamp), afterAttemptAt, firedAt });
  }
  return timers;
}

/** The durable timers a job's orchestration created and that have not fired: when each is to fire (orchestration time, as the job's `postponeuntil`). */
export async function pendingJobTimers(host: HostUnderTest, jobId: string): Promise<number[]> {
  const historyEvents = await historyOf(host, jobId);
  const fired = new Set(historyEvents.filter((e) => e.EventType === TIMER_FIRED).map((e) => e.TimerId));
  return historyEvents.filter((e) => e.EventType === TIMER_CREATED && !fired.has(e.EventId)).map((e) => Date.parse(String(e.FireAt)));
}

/** The sample listener's structured lines (status `recorded` or `duplicate`) for a message with this OperationId. */
export function listenerLines(output: string[], status: "recorded" | "duplicate", operationId: string): Record<string, unknown>[] {
  return structuredLines(output, "listenerReceipt")
    .map((line) => line.record)
    .filter((record) => record.status === status && record.operationId === operationId);
}
