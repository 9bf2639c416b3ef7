import { answeredTaskId, event, EventType, SCHEDULING_EVENTS, type HistoryEvent, type RuntimeStatus } from "./history";
import type { OpenTask, RetryPolicy } from "./open-tasks";

/** The library's OrchestratorState as returned by an orchestrator invocation. */
export interface OrchestratorStateLike {
  isDone: boolean;
  actions: unknown[][];
  output?: unknown;
  customStatus?: unknown;
}

export type OrchestratorOutcome =
  | { kind: "state"; state: OrchestratorStateLike; openTasks: OpenTask[] }
  | { kind: "failed"; reason: string; details: string; customStatus?: unknown };

export interface EpisodeClock {
  /** The orchestration's time for this episode (its OrchestratorStarted timestamp). */
  now: Date;
  /** Wall-clock time, to compute when timers are due in real time. */
  realNow: Date;
  /** Orchestration time passes this many times faster than real time for timers (--time-scale). */
  timeScale: number;
}

export interface Decision {
  /** Events to append to the history after this episode's new events. */
  events: HistoryEvent[];
  status: Extract<RuntimeStatus, "Running" | "Completed" | "Failed" | "ContinuedAsNew">;
  /** JSON text of the output (Completed) or the failure message (Failed). */
  output?: string;
  customStatus?: unknown;
  /** JSON text of the next execution's input, when the orchestration continued as new. */
  continueAsNewInput?: string;
}

const CONTINUE_AS_NEW = 4;

/** Delay before the next attempt after `failedAttempts` failures: first × coefficient^(n−1), capped. */
export function retryDelayMs(retry: RetryPolicy, failedAttempts: number): number {
  const delay = retry.firstRetryIntervalInMilliseconds * (retry.backoffCoefficient ?? 1) ** Math.max(failedAttempts - 1, 0);
  const cap = retry.maxRetryIntervalInMilliseconds;
  return cap !== undefined && cap > 0 ? Math.min(delay, cap) : delay;
}

/** An input as JSON text: the library already serializes string inputs of activities. */
export function inputJson(input: unknown, alreadySerializedStrings: boolean): string | undefined {
  if (input === undefined) return undefined;
  if (typeof input === "string" && alreadySerializedStrings) return input;
  return JSON.stringify(input);
}

/**
 * The pure decision step of one episode: from the history (including this episode's new events) and
 * what the library returned, the events to append. Work to dispatch is read from those events.
 */
export function decide(instanceId: string, history: readonly HistoryEvent[], outcome: OrchestratorOutcome, clock: EpisodeClock): Decision {
  const completed = event(EventType.OrchestratorCompleted, clock.now);
  if (outcome.kind === "failed") {
    return {
      events: [event(EventType.ExecutionFailed, clock.now, { Reason: outcome.reason, Details: outcome.details }), completed],
      status: "Failed",
      output: JSON.stringify(outcome.reason),
      customStatus: outcome.customStatus,
    };
  }
  const { state, openTasks } = outcome;
  if (state.isDone) {
    const continueAsNew = state.actions.flat().find((action) => (action as { actionType?: number }).actionType === CONTINUE_AS_NEW) as { input?: unknown } | undefined;
    if (continueAsNew) {
      const next = JSON.stringify(continueAsNew.input ?? null);
      return { events: [event(EventType.ContinueAsNew, clock.now, { Result: next }), completed], status: "ContinuedAsNew", continueAsNewInput: next, customStatus: state.customStatus };
    }
    const output = JSON.stringify(state.output ?? null);
    return { events: [event(EventType.ExecutionCompleted, clock.now, { Result: output }), completed], status: "Completed", output, customStatus: state.customStatus };
  }
  const scheduled = new Set(history.filter((e) => SCHEDULING_EVENTS.has(e.EventType)).map((e) => e.EventId));
  const events: HistoryEvent[] = [];
  for (const task of openTasks) {
    if (scheduled.has(task.id)) continue;
    switch (task.kind) {
      case "activity":
        events.push(event(EventType.TaskScheduled, clock.now, { EventId: task.id, Name: task.name, Input: inputJson(task.input, true) }));
        break;
      case "subOrchestration":
        events.push(
          event(EventType.SubOrchestrationInstanceCreated, clock.now, {
            EventId: task.id,
            Name: task.name,
            Input: inputJson(task.input, false),
            InstanceId: task.instanceId ?? `${instanceId}:${task.id}`,
          }),
        );
        break;
      case "timer":
        if (!task.canceled) events.push(timerCreated(task.id, task.fireAt, clock));
        break;
      case "retryTimer":
        events.push(timerCreated(task.id, new Date(clock.now.getTime() + retryDelayMs(task.retry, task.failedAttempts)), clock));
        break;
      case "unsupported": {
        const reason = `Orchestrator function uses ${task.what}`;
        return decide(instanceId, history, { kind: "failed", reason, details: reason, customStatus: state.customStatus }, clock);
      }
    }
  }
  events.push(completed);
  return { events, status: "Running", customStatus: state.customStatus };
}

function timerCreated(id: number, fireAt: Date, clock: EpisodeClock): HistoryEvent {
  const realDelay = Math.max(fireAt.getTime() - clock.now.getTime(), 0) / clock.timeScale;
  return event(EventType.TimerCreated, clock.now, { EventId: id, FireAt: fireAt.toISOString(), DueAt: new Date(clock.realNow.getTime() + realDelay).toISOString() });
}

/** Scheduling events whose answer is neither in the history nor among pending messages: work to (re)dispatch. */
export function outstandingWork(history: readonly HistoryEvent[], pending: readonly HistoryEvent[]): HistoryEvent[] {
  const answered = new Set([...history, ...pending].map(answeredTaskId).filter((id): id is number => id !== undefined));
  return history.filter((e) => SCHEDULING_EVENTS.has(e.EventType) && !answered.has(e.EventId));
}

/**
 * The orchestration time of the next episode. With --time-scale, timers fire before their FireAt in
 * real time; orchestration time then jumps to FireAt and keeps that lead (the largest FireAt − fired-at
 * of any timer), so it never goes back. It is also never before the previous episode.
 */
export function episodeTime(history: readonly HistoryEvent[], newEvents: readonly HistoryEvent[], realNow: Date): Date {
  let lead = 0;
  let time = realNow.getTime();
  for (const e of [...history, ...newEvents]) {
    if (e.EventType === EventType.TimerFired && e.FireAt) {
      lead = Math.max(lead, Date.parse(e.FireAt) - Date.parse(e.Timestamp));
      time = Math.max(time, Date.parse(e.FireAt));
    }
    if (e.EventType === EventType.OrchestratorStarted) time = Math.max(time, Date.parse(e.Timestamp) + 1);
  }
  return new Date(Math.max(time, realNow.getTime() + lead));
}
