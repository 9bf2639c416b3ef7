import { describe, expect, it } from "vitest";
import { decide, episodeTime, outstandingWork, retryDelayMs, type EpisodeClock } from "./decide";
import { event, EventType } from "./history";

const clock: EpisodeClock = { now: new Date("2026-01-01T00:00:00Z"), realNow: new Date("2026-01-01T00:00:00Z"), timeScale: 60 };
const running = { isDone: false, actions: [[]] };

describe("decide", () => {
  it("computes retry delays as first × coefficient^(failures−1), capped", () => {
    const retry = { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 5, backoffCoefficient: 2, maxRetryIntervalInMilliseconds: 5000 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(retry, n))).toEqual([1000, 2000, 4000, 5000]);
    expect(retryDelayMs({ firstRetryIntervalInMilliseconds: 300, maxNumberOfAttempts: 3 }, 3)).toBe(300);
  });

  it("schedules only open tasks without a scheduling event, with the library's ids", () => {
    const history = [event(EventType.OrchestratorStarted, clock.now), event(EventType.TaskScheduled, clock.now, { EventId: 0, Name: "a" })];
    const decision = decide("i1", history, {
      kind: "state",
      state: running,
      openTasks: [
        { id: 0, kind: "activity", name: "a", input: undefined },
        { id: 1, kind: "activity", name: "b", input: '"x"' },
        { id: 2, kind: "subOrchestration", name: "child", input: { n: 1 } },
        { id: 3, kind: "retryTimer", retry: { firstRetryIntervalInMilliseconds: 60_000, maxNumberOfAttempts: 3 }, failedAttempts: 1 },
      ],
    }, clock);
    expect(decision.status).toBe("Running");
    expect(decision.events.map((e) => [e.EventType, e.EventId])).toEqual([
      [EventType.TaskScheduled, 1],
      [EventType.SubOrchestrationInstanceCreated, 2],
      [EventType.TimerCreated, 3],
      [EventType.OrchestratorCompleted, -1],
    ]);
    expect(decision.events[0].Input).toBe('"x"');
    expect(decision.events[1]).toMatchObject({ InstanceId: "i1:2", Input: '{"n":1}' });
    // One orchestration minute is one real second at time scale 60.
    expect(decision.events[2]).toMatchObject({ FireAt: "2026-01-01T00:01:00.000Z", DueAt: "2026-01-01T00:00:01.000Z" });
  });

  it("completes, continues as new, or fails", () => {
    expect(decide("i", [], { kind: "state", state: { isDone: true, actions: [[]], output: { ok: 1 } }, openTasks: [] }, clock)).toMatchObject({ status: "Completed", output: '{"ok":1}' });
    expect(decide("i", [], { kind: "state", state: { isDone: true, actions: [[{ actionType: 4, input: 7 }]] }, openTasks: [] }, clock)).toMatchObject({ status: "ContinuedAsNew", continueAsNewInput: "7" });
    const failed = decide("i", [], { kind: "state", state: running, openTasks: [{ id: 0, kind: "unsupported", what: "entities" }] }, clock);
    expect(failed.status).toBe("Failed");
    expect(failed.events[0].EventType).toBe(EventType.ExecutionFailed);
  });

  it("finds unanswered work for recovery and keeps orchestration time monotonic", () => {
    const history = [
      event(EventType.OrchestratorStarted, new Date("2026-01-01T05:00:00Z")),
      event(EventType.TaskScheduled, clock.now, { EventId: 0 }),
      event(EventType.TaskCompleted, clock.now, { TaskScheduledId: 0, Result: "1" }),
      event(EventType.TimerCreated, clock.now, { EventId: 1 }),
      event(EventType.TaskScheduled, clock.now, { EventId: 2 }),
    ];
    expect(outstandingWork(history, []).map((e) => e.EventId)).toEqual([1, 2]);
    expect(outstandingWork(history, [event(EventType.TimerFired, clock.now, { TimerId: 1 })]).map((e) => e.EventId)).toEqual([2]);
    const fired = event(EventType.TimerFired, clock.now, { TimerId: 1, FireAt: "2026-01-02T00:00:00.000Z" });
    expect(episodeTime(history, [fired], clock.realNow).toISOString()).toBe("2026-01-02T00:00:00.000Z");
    expect(episodeTime(history, [], clock.realNow).toISOString()).toBe("2026-01-01T05:00:00.001Z");
    // A timer that fired a day early keeps orchestration time a day ahead of the wall clock.
    const later = new Date("2026-01-01T00:10:00Z");
    expect(episodeTime([...history, fired], [], later).toISOString()).toBe("2026-01-02T00:10:00.000Z");
  });
});
