import { afterEach, describe, expect, it } from "vitest";
import { eventually, readObservations, SAMPLE_KEYS, startSampleHost, type HostUnderTest } from "./run-host";

const TASK_FAILED = 6;
const TIMER_CREATED = 10;

describe("local host: Durable instances survive a host crash", () => {
  let host: HostUnderTest | undefined;
  afterEach(async () => {
    await host?.stop();
  });

  it("continues every phase after a kill: due timers fire, unfinished activities rerun, completed ones do not", async () => {
    const key = `restart-${Date.now()}`;
    // Two orchestration hours pass in three seconds.
    const timeScale = 2400;
    host = await startSampleHost({ timeScale });
    // Each restart is the same app: the same task hub and observations.
    const { observationsFile, hubName } = host;
    const seen = (kind: string) => readObservations(observationsFile, kind).filter((entry) => entry.key === key || entry.value === `${key}:before` || entry.value === `${key}:after`);
    // What the engine has recorded: an activity counts as completed once its answer is in the history.
    const recorded = async (eventType: number) => {
      const response = await fetch(`${host?.baseUrl}/runtime/webhooks/durabletask/instances/${key}?showHistory=true&code=${SAMPLE_KEYS.durable}`);
      if (response.status !== 200 && response.status !== 202) return 0;
      const body = (await response.json()) as { historyEvents?: { EventType: number }[] };
      return (body.historyEvents ?? []).filter((e) => e.EventType === eventType).length;
    };
    const started = await fetch(`${host.baseUrl}/api/orchestrators/restartOrchestrator/${key}`, { method: "POST", body: JSON.stringify({ key }) });
    expect(started.status).toBe(202);

    // 1. Killed during the two-hour timer.
    await eventually(async () => seen("record").length === 1 && (await recorded(TIMER_CREATED)) === 1, 15_000, "the first activity, then the timer");
    await host.kill();
    host = await startSampleHost({ timeScale, observationsFile, hubName });

    // 2. Killed between retries.
    await eventually(async () => seen("flaky").length >= 1 && (await recorded(TASK_FAILED)) >= 1, 20_000, "the first flaky attempt's failure");
    await host.kill();
    host = await startSampleHost({ timeScale, observationsFile, hubName });

    // 3. Killed while an activity runs.
    await eventually(() => seen("slowOnce").length >= 1, 20_000, "the slow activity");
    await host.kill();
    host = await startSampleHost({ timeScale, observationsFile, hubName });

    const statusUrl = `${host.baseUrl}/runtime/webhooks/durabletask/instances/${key}?code=${SAMPLE_KEYS.durable}`;
    const done = await eventually(async () => {
      const response = await fetch(statusUrl);
      const body = (await response.json()) as { runtimeStatus: string; output: unknown };
      return body.runtimeStatus === "Completed" ? { code: response.status, body } : undefined;
    }, 20_000, "completion");
    expect(done.code).toBe(200);
    expect(done.body.output).toEqual({ flaky: `${key} succeeded on attempt 3`, slowRun: 2 });
    expect(seen("record").map((entry) => entry.value)).toEqual([`${key}:before`, `${key}:after`]);
    expect(seen("flaky")).toHaveLength(3);
    expect(seen("slowOnce")).toHaveLength(2);
  });
});
