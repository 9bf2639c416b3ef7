import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DurableClient } from "durable-functions";
import { createRequire } from "node:module";
import { durableClientData } from "../../local/durable/management-api";
import { eventually, SAMPLE_KEYS, startSampleHost, type HostUnderTest } from "../../test/host/run-host";
import { durableJobOrchestrations, rpcBaseUrlOf, type JobOrchestrations } from "./orchestrations";

// The library's client class itself (not exported from its index; the host builds it the same way in getClient).
const { DurableClient: DurableClientClass } = createRequire(__filename)("durable-functions/lib/src/durableClient/DurableClient") as {
  DurableClient: new (clientData: unknown) => DurableClient;
};

describe("job orchestrations through the durable client, judged by the management API's status codes", () => {
  let host: HostUnderTest;
  const clientWithKey = (systemKey: string): DurableClient => {
    const urls = { base: `${host.baseUrl}/runtime/webhooks/durabletask`, taskHub: host.hubName, systemKey };
    // No RPC base URL: the client then uses the public webhook URLs with the key, as any caller outside the host.
    return new DurableClientClass(durableClientData(urls, ""));
  };
  let bindingData: unknown;
  // The sample app's orchestration that waits for an event that never comes; through the client's RPC
  // endpoint as functions reach it (rpcBaseUrl in the binding's data), or the webhooks with the key.
  const viaRpc = (): JobOrchestrations => durableJobOrchestrations(clientWithKey(SAMPLE_KEYS.durable), rpcBaseUrlOf(bindingData), "waitForever");
  const viaWebhooks = (systemKey = SAMPLE_KEYS.durable): JobOrchestrations => durableJobOrchestrations(clientWithKey(systemKey), undefined, "waitForever");
  const input = (jobId: string) => ({ jobId, organization: "contoso" });

  beforeAll(async () => {
    host = await startSampleHost();
    bindingData = await (await fetch(`${host.baseUrl}/api/durable-client-data`)).json();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it("reads the RPC endpoint from the binding's data", () => {
    expect(rpcBaseUrlOf(bindingData)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/durabletask\/$/);
  });

  describe.each([
    ["the RPC endpoint", () => viaRpc()],
    ["the webhooks", () => viaWebhooks()],
  ])("through %s", (_through, orchestrations) => {
    it("treats an instance that does not exist (404) as not running: no status, nothing to stop or tell", async () => {
      const jobId = randomUUID();
      expect(await orchestrations().state(jobId)).toBe("none");
      await expect(orchestrations().terminate(jobId, "cancelled")).resolves.toBeUndefined();
      await expect(orchestrations().signal(jobId, { change: "pause" })).resolves.toBeUndefined();
    });

    it("starts once, refuses a second start while running, and treats a finished instance (410) as not running", async () => {
      const jobId = randomUUID();
      expect(await orchestrations().start(input(jobId))).toBe(true);
      expect(await orchestrations().start(input(jobId))).toBe(false);
      expect(await orchestrations().state(jobId)).toBe("running");
      await orchestrations().signal(jobId, { change: "pause" });
      await orchestrations().terminate(jobId, "a user's cancel");
      await eventually(async () => (await orchestrations().state(jobId)) === "none" || undefined, 20_000, `${jobId} to stop`);
      await expect(orchestrations().terminate(jobId, "again")).resolves.toBeUndefined();
      await expect(orchestrations().signal(jobId, { change: "pause" })).resolves.toBeUndefined();
    });
  });

  it("reports any other answer (a rejected key: 401) as an error with its status", async () => {
    const refused = viaWebhooks("not-the-key");
    await expect(refused.state(randomUUID())).rejects.toMatchObject({ code: "ExternalUnavailable", httpStatus: 401 });
    await expect(refused.terminate(randomUUID(), "x")).rejects.toMatchObject({ httpStatus: 401 });
  });
});
