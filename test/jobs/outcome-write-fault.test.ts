import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceBusBroker } from "../../local/servicebus/broker";
import { refusingRequests } from "../support/storage-faults";
import { azureResources } from "../../shared/config/azure-resources";
import { JobState, JobStatus } from "../../shared/jobs";
import { eventually, type HostUnderTest } from "../host/run-host";
import { accountCreated } from "../support/delivery";
import { uniqueOrganization } from "../support/data-service";
import { listenerLines } from "./host-lines";
import { attemptLines, commitJob, orchestrationStatus, receiptsFor, registerQueueStep, runSweep, startJobOrchestration, startProjectHostBehindProxy, structuredLines, webApi } from "../support/system-jobs";

const organization = uniqueOrganization("outcomefault");

/** While armed with a job id, refuses every transaction that writes that job's row as Succeeded. */
const refuseSucceededWrite = () => refusingRequests<string>((request, jobId) => request.url.includes("$batch") && request.body.includes(jobId) && /"statuscode":30\b/.test(request.body));

describe("a system job whose post succeeded but whose Succeeded write failed", () => {
  let started: Awaited<ReturnType<typeof startProjectHostBehindProxy>>;
  let host: HostUnderTest;
  let broker: ServiceBusBroker;
  const fault = refuseSucceededWrite();
  const api = webApi(() => host, organization);
  const job = async (jobId: string) => (await api("GET", `asyncoperations(${jobId})`)).json as Record<string, unknown>;

  beforeAll(async () => {
    started = await startProjectHostBehindProxy(organization, fault.decide, { timeScale: 10 });
    ({ host, broker } = started);
  }, 60_000);

  afterAll(async () => {
    await started?.stop();
  });

  it("is run again by the sweep: the repeated post keeps its MessageId, the listener records it once, the job Succeeds", async () => {
    const stepId = await registerQueueStep(api, broker.connectionString);
    const jobId = await commitJob(organization, stepId, accountCreated());
    fault.arm(jobId);
    await startJobOrchestration(host, organization, jobId);

    // The post went; recording Succeeded did not (its retries refused too): the activity, and the orchestration, failed.
    await eventually(async () => (await orchestrationStatus(host, jobId)) === "Failed", 60_000, "the orchestration to fail");
    fault.disarm();
    expect(fault.refused()).toBeGreaterThan(0);
    expect(await job(jobId)).toMatchObject({ statecode: JobState.Locked, statuscode: JobStatus.InProgress, retrycount: 0 });
    expect(attemptLines(host, jobId)).toEqual([expect.objectContaining({ outcome: "unrecorded", stepId })]);
    expect(structuredLines(host, "systemJobAttempt").filter((line) => line.record.jobId === jobId).map((line) => line.level)).toEqual(["error"]);
    await eventually(async () => (await receiptsFor([jobId])).length === 1, 20_000, "the first post's receipt");

    await runSweep(host);
    const row = await eventually(async () => {
      const current = await job(jobId);
      return current.statecode === JobState.Completed && current;
    }, 30_000, "the job to complete");
    expect(row).toMatchObject({ statuscode: JobStatus.Succeeded, retrycount: 0 });
    expect(attemptLines(host, jobId).map((line) => line.outcome)).toEqual(["unrecorded", "succeeded"]);
    // The sweep says what it recovered: a warning naming the job.
    const sweeps = structuredLines(host, "systemJobSweep").filter((line) => String(line.record.startedJobIds).split(",").includes(jobId));
    expect(sweeps).toEqual([expect.objectContaining({ level: "warning", functionName: "systemJobSweep", record: expect.objectContaining({ startedCount: expect.any(Number), resumedCount: 0 }) })]);
    // Posted twice with the same MessageId (= OperationId = the job's id): the broker's duplicate detection drops the second.
    // The job Succeeded, so the second post was sent: kept, it would be in the queue (locked while the listener
    // handles it) until handled, and then logged as a duplicate. It is neither.
    const client = new ServiceBusClient(broker.connectionString);
    try {
      const queued = await client.createReceiver(azureResources.serviceBus.queues.events.name).peekMessages(100);
      expect(queued.filter((message) => message.messageId === jobId)).toEqual([]);
    } finally {
      await client.close();
    }
    expect(listenerLines(host.output, "duplicate", jobId)).toEqual([]);
    expect(await receiptsFor([jobId])).toHaveLength(1);
    expect(listenerLines(host.output, "recorded", jobId)).toHaveLength(1);
  }, 120_000);
});
