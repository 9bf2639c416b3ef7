import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceBusBroker, type ServiceBusBroker } from "../../local/servicebus/broker";
import { JobState, JobStatus } from "../../shared/jobs";
import { eventually, uniqueHubName, type HostUnderTest } from "../host/run-host";
import { accountCreated } from "../support/delivery";
import { uniqueOrganization } from "../support/data-service";
import { listenerLines } from "./host-lines";
import { attemptLines, commitJob, receiptsFor, registerQueueStep, startProjectHost, webApi } from "../support/system-jobs";

const organization = uniqueOrganization("restart");

describe("system jobs survive host crashes", () => {
  let broker: ServiceBusBroker;
  let host: HostUnderTest;
  const output: string[] = [];
  // Each restart is the same app: the same task hub.
  const hubName = uniqueHubName("Restart");
  const api = webApi(() => host, organization);
  const start = async () => {
    // The default sweep grace: the jobs committed while the host was down were written before it started, so the startup sweep takes them.
    host = await startProjectHost(organization, broker.connectionString, { timeScale: 10, hubName, env: { SystemJobSweepGraceSeconds: "" } });
  };
  const kill = async () => {
    output.push(...host.output);
    await host.kill();
  };
  const job = async (jobId: string) => (await api("GET", `asyncoperations(${jobId})`)).json as Record<string, unknown>;

  beforeAll(async () => {
    broker = await startServiceBusBroker({ config: join(__dirname, "../../local/servicebus/config.json") });
    await start();
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    await broker?.stop();
  });

  it("starts jobs committed while the host was down, resumes them after a kill in the middle of retries; the listener receives each once", async () => {
    const stepId = await registerQueueStep(api, broker.connectionString);
    // 1. Killed between the commit and the orchestration's start: the jobs are in storage, nothing runs them.
    await kill();
    const jobIds = await Promise.all([1, 2].map(() => commitJob(organization, stepId, accountCreated())));

    // 2. Restarted with the broker down: the sweep (run on startup) starts them; they wait and retry.
    broker.interrupt();
    try {
      await start();
      await eventually(async () => (await Promise.all(jobIds.map(job))).every((row) => Number(row.retrycount) >= 1), 30_000, "every job to have waited");
      // 3. Killed in the middle of the retries.
      await kill();
    } finally {
      broker.resume();
    }
    await start();
    const rows = await eventually(async () => {
      const found = await Promise.all(jobIds.map(job));
      return found.every((row) => row.statecode === JobState.Completed) && found;
    }, 40_000, "every job completed");
    for (const row of rows) expect(row).toMatchObject({ statuscode: JobStatus.Succeeded });
    const receipts = await eventually(async () => {
      const found = await receiptsFor(jobIds);
      return found.length === jobIds.length && found;
    }, 30_000, "a receipt per job");
    expect(receipts.map((receipt) => receipt.operationId).sort()).toEqual([...jobIds].sort());
    // The receipts table keeps one row per OperationId, so a second delivery shows only as the listener's `duplicate` line.
    await eventually(() => jobIds.every((jobId) => listenerLines([...output, ...host.output], "recorded", jobId).length === 1), 10_000, "the listener's lines");
    expect(jobIds.flatMap((jobId) => listenerLines([...output, ...host.output], "duplicate", jobId))).toEqual([]);
    for (const jobId of jobIds) {
      const lines = attemptLines([...output, ...host.output], jobId);
      expect(lines.some((line) => line.outcome === "waiting")).toBe(true);
      expect(lines.filter((line) => line.outcome === "succeeded")).toHaveLength(1);
    }
  });
});
