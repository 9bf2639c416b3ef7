import { afterAll, describe, expect, it } from "vitest";
import { tableClientFor } from "../../shared/config/table-client";
import { eventually, readObservations, SAMPLE_KEYS, startSampleHost, type HostUnderTest } from "./run-host";

// The test run's hosts share one Azurite; each has its own task hub (run-host.ts), set through the
// AzureFunctionsJobHost__extensions__durableTask__hubName app setting as in Azure.
describe("local host: the Durable task hub", () => {
  const hosts: HostUnderTest[] = [];
  afterAll(async () => {
    for (const host of hosts) await host.stop();
  });

  it("takes the hub name from AzureFunctionsJobHost__extensions__durableTask__hubName over host.json, and another hub's host leaves its unfinished instances alone", async () => {
    const key = `hub-${Date.now()}`;
    // Two orchestration hours pass in three seconds.
    const first = await startSampleHost({ timeScale: 2400 });
    hosts.push(first);
    const started = await fetch(`${first.baseUrl}/api/orchestrators/restartOrchestrator/${key}`, { method: "POST", body: JSON.stringify({ key }) });
    expect(started.status).toBe(202);
    const ran = (host: HostUnderTest) =>
      [...readObservations(host.observationsFile, "record"), ...readObservations(host.observationsFile, "flaky"), ...readObservations(host.observationsFile, "slowOnce")].filter(
        (entry) => entry.key === key || entry.value === `${key}:before`,
      );
    await eventually(() => ran(first).length === 1, 15_000, "the first activity");

    // The second host starts while the first one's instance waits on its timer: it must not resume it.
    const second = await startSampleHost({ timeScale: 2400 });
    hosts.push(second);
    expect(second.hubName).not.toBe(first.hubName);

    // The first host carries on alone up to the activity that hangs: the retries ran there, and only there.
    await eventually(() => readObservations(first.observationsFile, "slowOnce").some((entry) => entry.key === key), 20_000, "the first host to reach the slow activity");
    expect(readObservations(first.observationsFile, "flaky").filter((entry) => entry.key === key)).toHaveLength(3);
    expect(ran(second)).toEqual([]);
    const status = (host: HostUnderTest) => fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/${key}?code=${SAMPLE_KEYS.durable}`);
    expect((await status(first)).status).toBe(202);
    expect((await status(second)).status).toBe(404);
    expect(first.output.join("\n")).toContain(`durable: task hub ${first.hubName}, `);
    expect(second.output.join("\n")).toContain(`durable: task hub ${second.hubName}, 0 unfinished instance(s) resumed`);
    // The state is in the first hub's table, not in host.json's SampleHub.
    expect((await tableClientFor(`${first.hubName}Durable`).getEntity(key, "!instance").catch(() => undefined))?.partitionKey).toBe(key);
    expect(await tableClientFor("SampleHubDurable").getEntity(key, "!instance").catch((error: { statusCode?: number }) => error.statusCode)).toBe(404);
  });
});
