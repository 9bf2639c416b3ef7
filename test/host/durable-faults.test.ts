import { afterEach, describe, expect, it } from "vitest";
import { startTableProxy, type ProxyAction, type TableProxy } from "../../local/storage/table-proxy";
import { eventually, readObservations, SAMPLE_KEYS, startSampleHost, type HostUnderTest } from "./run-host";

type Fault = Exclude<ProxyAction, "forward">;
/** More than the storage SDK's own attempts at one request (1 + 3 retries). */
const SDK_ATTEMPTS = 5;

/**
 * Spoils one entity-group transaction: the `nth` whose body names `marker` is refused (503, nothing
 * written; its retries too, past the SDK's own) or committed with its answer lost.
 */
function spoilTransaction(marker: string, nth: number, fault: Fault) {
  let seen = 0;
  let spoiled = 0;
  const decide = (request: { url: string; body: string }): ProxyAction => {
    if (!request.url.includes("$batch") || !request.body.includes(marker)) return "forward";
    if (spoiled === 0 && ++seen !== nth) return "forward";
    if (spoiled > 0 && (fault === "lose-answer" || spoiled >= SDK_ATTEMPTS)) return "forward";
    spoiled++;
    return fault;
  };
  return { decide, spoiled: () => spoiled > 0 };
}

describe("local host: a Durable episode whose commit fails", () => {
  let host: HostUnderTest | undefined;
  let proxy: TableProxy | undefined;
  afterEach(async () => {
    await host?.stop();
    await proxy?.close();
  });

  // The instance's second transaction is the episode that takes the first activity's result.
  it.each<Fault>(["refuse", "lose-answer"])("(%s) is retried without running the finished activity again, and records its result once", async (fault) => {
    const key = `fault-${fault}-${Date.now()}`;
    const spoil = spoilTransaction(key, 2, fault);
    proxy = await startTableProxy(process.env.AzureWebJobsStorage ?? "", spoil.decide);
    host = await startSampleHost({ env: { AzureWebJobsStorage: proxy.connectionString } });
    const started = await fetch(`${host.baseUrl}/api/orchestrators/recordPairOrchestrator/${key}`, { method: "POST", body: JSON.stringify({ key }) });
    expect(started.status).toBe(202);

    const statusUrl = `${host.baseUrl}/runtime/webhooks/durabletask/instances/${key}?showHistory=true&code=${SAMPLE_KEYS.durable}`;
    const done = await eventually(async () => {
      const body = (await (await fetch(statusUrl)).json()) as { runtimeStatus: string; output: unknown; historyEvents: { EventType: number; TaskScheduledId?: number }[] };
      return body.runtimeStatus === "Completed" ? body : undefined;
    }, 20_000, "completion");
    expect(spoil.spoiled()).toBe(true);
    expect(done.output).toEqual([`${key}:first`, `${key}:second`]);
    const recorded = readObservations(host.observationsFile, "record").map((entry) => entry.value);
    expect(recorded).toEqual([`${key}:first`, `${key}:second`]);
    const completions = done.historyEvents.filter((e) => e.EventType === 5).map((e) => e.TaskScheduledId);
    expect(completions).toEqual([0, 1]);
  });
});
