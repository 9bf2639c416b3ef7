import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSampleHost, type HostUnderTest } from "../../test/host/run-host";
import { instanceStatus, standInJobOrchestrations, startPausedStandIn } from "../../test/support/job-orchestrations";
import { tableClientFor } from "../config/table-client";
import { RecordStore } from "../dataservice";
import type { ColumnValues } from "../dataservice/store/records";
import { JobState, JobStatus } from "./job-states";
import type { JobOrchestrations } from "./orchestrations";
import { sweepCutoff, sweepLogEvent, sweepSystemJobs } from "./sweep";
import { ASYNC_OPERATION_TABLE, SystemJobStore } from "./system-jobs";

// The sweep with the real job orchestrations on a local host (the sample app's stand-in orchestration in
// place of a system job's), judged by what the management API then shows of each job's instance.
describe("sweepSystemJobs", () => {
  const organization = "contoso";
  let host: HostUnderTest;
  let orchestrations: JobOrchestrations;
  beforeAll(async () => {
    host = await startSampleHost();
    orchestrations = await standInJobOrchestrations(host);
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function jobsWith(rows: Record<string, ColumnValues>): Promise<SystemJobStore> {
    const store = new RecordStore(tableClientFor(`Sweep${randomUUID().replace(/-/g, "")}`));
    await store.ensureTable();
    const uow = store.beginUnitOfWork(organization);
    for (const [id, values] of Object.entries(rows)) uow.create(ASYNC_OPERATION_TABLE, id, { name: "job", ...values });
    await uow.commit();
    return new SystemJobStore(store);
  }
  const ready = { statecode: JobState.Ready, statuscode: JobStatus.WaitingForResources };

  it("starts open jobs without an orchestration, but not one that completed after it was listed", async () => {
    const [orphan, finishing] = [randomUUID(), randomUUID()];
    const jobs = await jobsWith({ [orphan]: ready, [finishing]: ready });
    // Injects the race: the `finishing` job's orchestration completes it between the listing and the check.
    const racing: JobOrchestrations = {
      ...orchestrations,
      async state(jobId) {
        if (jobId === finishing) await jobs.update({ organization, jobId }, () => ({ statecode: JobState.Completed, statuscode: JobStatus.Succeeded }));
        return orchestrations.state(jobId);
      },
    };
    const result = await sweepSystemJobs(jobs, [organization], racing);
    expect(result.started).toEqual([orphan]);
    expect(await instanceStatus(host, orphan)).toMatchObject({ runtimeStatus: expect.stringMatching(/^(Pending|Running)$/), input: { organization, jobId: orphan } });
    expect(await instanceStatus(host, finishing)).toBeUndefined();
  });

  it("sends the resume again to a paused orchestration whose job's row is Ready (its signal lost), and to no other", async () => {
    const [resumedRow, attempting, postponedResume, stillPaused] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const jobs = await jobsWith({
      [resumedRow]: ready,
      [attempting]: ready,
      [postponedResume]: { ...ready, postponeuntil: "2099-01-01T00:00:00Z" },
      [stillPaused]: { statecode: JobState.Suspended, statuscode: JobStatus.Waiting },
    });
    expect(await orchestrations.start({ organization, jobId: attempting })).toBe(true);
    for (const jobId of [resumedRow, postponedResume, stillPaused]) await startPausedStandIn(host, { organization, jobId });
    for (const jobId of [resumedRow, postponedResume, stillPaused]) await eventually(async () => (await orchestrations.state(jobId)) === "paused", 15_000, `${jobId} paused`);
    await eventually(async () => (await orchestrations.state(attempting)) === "running", 15_000, `${attempting} running`);

    const result = await sweepSystemJobs(jobs, [organization], orchestrations);
    expect(result).toEqual({ started: [], resumed: [resumedRow] });
    const received = await eventually(async () => (await instanceStatus(host, resumedRow))?.customStatus as { received?: unknown } | undefined, 15_000, "the resume");
    expect(received).toEqual({ received: { change: "resume", ifPaused: true } });
    for (const jobId of [postponedResume, stillPaused]) expect(await orchestrations.state(jobId)).toBe("paused");
    expect(await instanceStatus(host, attempting)).toMatchObject({ customStatus: null });
  });

  it("looks only at jobs written before its cutoff: one written since is left to the dispatcher starting its orchestration", async () => {
    const beforeTheWrite = new Date(Date.now() - 1_000);
    const fresh = randomUUID();
    const jobs = await jobsWith({ [fresh]: ready });
    expect(await sweepSystemJobs(jobs, [organization], orchestrations, beforeTheWrite)).toEqual({ started: [], resumed: [] });
    expect(await instanceStatus(host, fresh)).toBeUndefined();

    const afterTheWrite = new Date(Date.now() + 1_000);
    expect(await sweepSystemJobs(jobs, [organization], orchestrations, afterTheWrite)).toEqual({ started: [fresh], resumed: [] });
    expect(await instanceStatus(host, fresh)).toMatchObject({ input: { organization, jobId: fresh } });
  });

  it("starts a Waiting job and a postponed Ready job to wait until their postponeuntil, and no job a user paused", async () => {
    const [waiting, postponed, paused] = [randomUUID(), randomUUID(), randomUUID()];
    const jobs = await jobsWith({
      // Waiting after a failed attempt: the attempt set postponeuntil. Paused by a user: the pause cleared it.
      [waiting]: { statecode: JobState.Suspended, statuscode: JobStatus.Waiting, retrycount: 1, postponeuntil: "2030-01-01T00:00:00Z" },
      [postponed]: { ...ready, postponeuntil: "2031-01-01T00:00:00Z" },
      [paused]: { statecode: JobState.Suspended, statuscode: JobStatus.Waiting, retrycount: 1 },
    });
    const result = await sweepSystemJobs(jobs, [organization], orchestrations);
    expect(result.started.sort()).toEqual([waiting, postponed].sort());
    expect(await instanceStatus(host, waiting)).toMatchObject({ input: { organization, jobId: waiting, notBefore: expect.stringMatching(/^2030-01-01T00:00:00/) } });
    expect(await instanceStatus(host, postponed)).toMatchObject({ input: { organization, jobId: postponed, notBefore: expect.stringMatching(/^2031-01-01T00:00:00/) } });
    expect(await instanceStatus(host, paused)).toBeUndefined();
  });
});

describe("sweepCutoff", () => {
  const minute = 60_000;
  it("is the grace period ago once the process has run longer than it, else the process's start", () => {
    const now = Date.parse("2026-11-23T12:00:00Z");
    expect(sweepCutoff(now - 10 * minute, minute, now).toISOString()).toBe("2026-11-23T11:59:00.000Z");
    // Just started: every job written before the start is looked at now (no dispatcher here is starting those).
    expect(sweepCutoff(now - 5_000, minute, now).toISOString()).toBe("2026-11-23T11:59:55.000Z");
    expect(sweepCutoff(now - 10 * minute, 0, now).toISOString()).toBe("2026-11-23T12:00:00.000Z");
  });
});

describe("the sweep's log event", () => {
  it("says how many jobs it started, as a warning, and lists at most 50 of their ids on one field (an outage may leave hundreds)", () => {
    const started = Array.from({ length: 120 }, () => randomUUID());
    const event = sweepLogEvent({ started, resumed: [] });
    expect(event).toMatchObject({ event: "systemJobSweep", severity: "warning", fields: { startedCount: 120, resumedCount: 0, resumedJobIds: undefined } });
    const listed = String(event?.fields.startedJobIds).split(",");
    expect(listed).toEqual([...started.slice(0, 50), "…"]);
  });

  it("is information when it only resumed, and nothing when it did nothing", () => {
    expect(sweepLogEvent({ started: [], resumed: ["a", "b"] })).toMatchObject({ severity: "information", fields: { startedCount: 0, resumedCount: 2, resumedJobIds: "a,b" } });
    expect(sweepLogEvent({ started: [], resumed: [] })).toBeUndefined();
  });
});
