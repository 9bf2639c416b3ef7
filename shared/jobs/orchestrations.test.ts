import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, SAMPLE_KEYS, startSampleHost, type HostUnderTest } from "../../test/host/run-host";
import { durableClientOn, sampleClientBindingData } from "../../test/support/job-orchestrations";
import { durableJobOrchestrations, rpcBaseUrlOf, type JobOrchestrations } from "./orchestrations";

describe("job orchestrations through the durable client, judged by the management API's status codes", () => {
  let host: HostUnderTest;
  let bindingData: unknown;
  // The sample app's orchestration that waits for an event that never comes; through the client's RPC
  // endpoint as functions reach it (rpcBaseUrl in the binding's data), or the webhooks with the key.
  const viaRpc = (): JobOrchestrations => durableJobOrchestrations(durableClientOn(host), rpcBaseUrlOf(bindingData), "waitForever");
  const viaWebhooks = (systemKey = SAMPLE_KEYS.durable): JobOrchestrations => durableJobOrchestrations(durableClientOn(host, systemKey), undefined, "waitForever");
  const input = (jobId: string) => ({ jobId, organization: "contoso" });

  beforeAll(async () => {
    host = await startSampleHost();
    bindingData = await sampleClientBindingData(host);
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
