import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { JOB_CHANGED_EVENT, PAUSED_STATUS, systemJobOrchestrator, SYSTEM_JOB_ATTEMPT_ACTIVITY, type JobSignal } from "./orchestration";

// The library's own replay (durable-functions 3.5.0, as the host runs it): histories in, actions out.
const { Orchestrator } = createRequire(__filename)("durable-functions/lib/src/orchestrations/Orchestrator") as {
  Orchestrator: new (fn: unknown) => { handle(trigger: unknown, context: unknown): Promise<{ isDone: boolean; actions: unknown[][] }> };
};

const T0 = Date.parse("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const input = { organization: "contoso", jobId: "job" };
const retry = (delayInMs: number) => JSON.stringify({ kind: "retry", delayInMs });

/** A history as the host writes it, built episode by episode (event ids as the library numbers its tasks). */
class History {
  readonly events: Record<string, unknown>[] = [];
  private event(EventType: number, seconds: number, fields: Record<string, unknown> = {}) {
    this.events.push({ EventType, EventId: -1, IsPlayed: false, Timestamp: at(seconds), ...fields });
    return this;
  }
  episode(seconds: number, ...events: [number, Record<string, unknown>?][]) {
    this.event(12, seconds);
    for (const [type, fields] of events) this.event(type, seconds, fields);
    return this.event(13, seconds);
  }
  static started() {
    return new History().episode(0, [0, { Input: JSON.stringify(input) }], [4, { EventId: 0, Name: SYSTEM_JOB_ATTEMPT_ACTIVITY }]);
  }
}
const scheduled = (id: number): [number, Record<string, unknown>] => [4, { EventId: id, Name: SYSTEM_JOB_ATTEMPT_ACTIVITY }];
const completed = (id: number, result: string): [number, Record<string, unknown>] => [5, { TaskScheduledId: id, Result: result }];
const timerCreated = (id: number, fireAt: number): [number, Record<string, unknown>] => [10, { EventId: id, FireAt: at(fireAt) }];
const timerFired = (id: number, fireAt: number): [number, Record<string, unknown>] => [11, { TimerId: id, FireAt: at(fireAt) }];
const raised = (signal: JobSignal): [number, Record<string, unknown>] => [15, { Name: JOB_CHANGED_EVENT, Input: JSON.stringify(signal) }];

interface Action {
  actionType: number;
  fireAt?: string | Date;
  isCanceled?: boolean;
  compoundActions?: Action[];
}

/** What the orchestration does last after replaying `history`: its newest action, in words. */
async function next(history: History): Promise<string> {
  const state = await new Orchestrator(systemJobOrchestrator).handle(
    { history: history.events, input, instanceId: input.jobId, isReplaying: false, upperSchemaVersion: 1 },
    { log: () => undefined },
  );
  const words = (action: Action): string =>
    action.actionType === 0 ? "attempt" : action.actionType === 6 ? "wait for a change" : action.actionType === 5 ? `timer ${new Date(action.fireAt!).toISOString()}` : action.actionType === 11 ? `any(${action.compoundActions!.map(words).join(", ")})` : String(action.actionType);
  return words((state.actions.flat() as Action[]).at(-1)!);
}

/** The custom status the orchestration leaves after replaying `history` (PAUSED_STATUS while it waits paused). */
async function customStatus(history: History): Promise<unknown> {
  const state = (await new Orchestrator(systemJobOrchestrator).handle(
    { history: history.events, input, instanceId: input.jobId, isReplaying: false, upperSchemaVersion: 1 },
    { log: () => undefined },
  )) as { customStatus?: unknown };
  return state.customStatus;
}

// Attempt 1 fails (back-off 10 s); the timer fires at 11 s, attempt 2 (task 2) runs.
const inSecondAttempt = () => History.started().episode(1, completed(0, retry(10_000)), timerCreated(1, 11)).episode(11, timerFired(1, 11), scheduled(2));

describe("systemJobOrchestrator replayed by durable-functions", () => {
  it("holds the job after attempt 2 when a pause came during it (the event reaches the waiter its timer won over)", async () => {
    const history = inSecondAttempt().episode(12, raised({ change: "pause" }));
    expect(await next(history.episode(13, completed(2, retry(20_000))))).toBe("wait for a change");
    expect(await next(history.episode(20, raised({ change: "resume" }), scheduled(3)))).toBe("attempt");
  });

  it("waits for the later of back-off and a postpone sent during attempt 2", async () => {
    const history = inSecondAttempt().episode(12, raised({ change: "postpone", postponeuntil: at(3600) }));
    expect(await next(history.episode(13, completed(2, retry(20_000))))).toBe(`any(timer ${at(3600)}, wait for a change)`);
  });

  it("holds a job paused during the attempt a resume started, after waits its timers won", async () => {
    // Two waits won by their timers, the third ended by a resume: attempt 4 (task 5) runs, and is paused.
    const history = inSecondAttempt()
      .episode(13, completed(2, retry(20_000)), timerCreated(3, 33))
      .episode(33, timerFired(3, 33), scheduled(4))
      .episode(34, completed(4, retry(40_000)), timerCreated(5, 74))
      .episode(40, raised({ change: "resume" }), scheduled(6))
      .episode(41, raised({ change: "pause" }));
    expect(await next(history.episode(42, completed(6, retry(80_000))))).toBe("wait for a change");
  });

  it("waits for a resume when the attempt finds the job paused (the pause's signal lost), and only then attempts", async () => {
    // The back-off's timer fired and attempt 2 found the row paused: nothing attempted, the orchestration waits paused.
    const history = inSecondAttempt().episode(12, completed(2, JSON.stringify({ kind: "paused" })));
    expect(await next(history)).toBe("wait for a change");
    expect(await customStatus(history)).toBe(PAUSED_STATUS);
    const resumed = history.episode(20, raised({ change: "resume", ifPaused: true }));
    expect(await next(resumed)).toBe("attempt");
    expect(await customStatus(resumed)).toEqual(expect.any(String));
    expect(await customStatus(resumed)).not.toBe(PAUSED_STATUS);
  });

  it("ignores a resume the sweep sent again once the orchestration no longer waits paused: the back-off stands", async () => {
    // The sweep's resume reached the orchestration while it waited for a back-off, as a user's resume would cut it short.
    const history = History.started().episode(1, completed(0, retry(10_000)), timerCreated(1, 11)).episode(2, raised({ change: "resume", ifPaused: true }));
    expect(await next(history)).toBe(`any(timer ${at(11)}, wait for a change)`);
  });

  it("replays a history without changes as before: attempt, timer, attempt", async () => {
    expect(await next(History.started())).toBe("attempt");
    expect(await next(History.started().episode(1, completed(0, retry(10_000))))).toBe(`any(timer ${at(11)}, wait for a change)`);
    expect(await next(inSecondAttempt())).toBe("attempt");
    // A pause during attempt 1 (no waiter yet) still ends the first wait at once, as it did.
    const paused = History.started().episode(0.5, raised({ change: "pause" })).episode(1, completed(0, retry(10_000)));
    expect(await next(paused)).toBe("wait for a change");
  });

  it("hands the job's row as committed to the first attempt only: a later one reads the row its predecessor wrote", async () => {
    const committed = { table: "asyncoperation", id: input.jobId, values: { statecode: 0 }, etag: 'W/"1"' };
    const attemptInputs = async (history: Record<string, unknown>[]) => {
      const state = await new Orchestrator(systemJobOrchestrator).handle(
        { history, input: { ...input, committed }, instanceId: input.jobId, isReplaying: false, upperSchemaVersion: 1 },
        { log: () => undefined },
      );
      return (state.actions.flat() as { actionType: number; input?: unknown }[]).filter((action) => action.actionType === 0).map((action) => action.input);
    };
    const started = new History().episode(0, [0, { Input: JSON.stringify({ ...input, committed }) }]);
    expect(await attemptInputs(started.events)).toEqual([{ ...input, committed }]);
    const retried = new History()
      .episode(0, [0, { Input: JSON.stringify({ ...input, committed }) }], scheduled(0))
      .episode(1, completed(0, retry(10_000)), timerCreated(1, 11))
      .episode(11, timerFired(1, 11));
    expect((await attemptInputs(retried.events)).at(-1)).toEqual({ ...input, waitedUntil: at(11) });
  });
});
