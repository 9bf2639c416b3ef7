import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { tableClientFor } from "../config/table-client";
import { RecordStore } from "../dataservice";
import { JobState, JobStatus } from "./job-states";
import type { JobSignal } from "./orchestration";
import type { JobOrchestrationInput, JobOrchestrations } from "./orchestrations";
import { sweepLogEvent, sweepSystemJobs } from "./sweep";
import { ASYNC_OPERATION_TABLE, SystemJobStore } from "./system-jobs";

describe("sweepSystemJobs", () => {
  it("starts open jobs without an orchestration, but not one that completed after it was listed", async () => {
    const store = new RecordStore(tableClientFor(`Sweep${Date.now()}`));
    await store.ensureTable();
    const jobs = new SystemJobStore(store);
    const organization = "contoso";
    const [orphan, finishing] = [randomUUID(), randomUUID()];
    const uow = store.beginUnitOfWork(organization);
    for (const id of [orphan, finishing]) uow.create(ASYNC_OPERATION_TABLE, id, { name: "job", statecode: JobState.Ready, statuscode: JobStatus.WaitingForResources });
    await uow.commit();
    const started: JobOrchestrationInput[] = [];
    // Injects the race: the `finishing` job's orchestration completes it between the listing and the check.
    const orchestrations: JobOrchestrations = {
      async state(jobId) {
        if (jobId === finishing) await jobs.update({ organization, jobId }, () => ({ statecode: JobState.Completed, statuscode: JobStatus.Succeeded }));
        return "none";
      },
      start: async (input) => Boolean(started.push(input)),
      terminate: async () => undefined,
      signal: async () => undefined,
    };
    const result = await sweepSystemJobs(jobs, [organization], orchestrations);
    expect(result.started).toEqual([orphan]);
    expect(started).toEqual([{ organization, jobId: orphan, notBefore: undefined }]);
  });

  it("sends the resume again to a paused orchestration whose job's row is Ready (its signal lost), and to no other", async () => {
    const store = new RecordStore(tableClientFor(`SweepResume${Date.now()}`));
    await store.ensureTable();
    const jobs = new SystemJobStore(store);
    const organization = "contoso";
    const [resumedRow, attempting, postponedResume, stillPaused] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const uow = store.beginUnitOfWork(organization);
    uow.create(ASYNC_OPERATION_TABLE, resumedRow, { name: "job", statecode: JobState.Ready, statuscode: JobStatus.WaitingForResources });
    uow.create(ASYNC_OPERATION_TABLE, attempting, { name: "job", statecode: JobState.Ready, statuscode: JobStatus.WaitingForResources });
    uow.create(ASYNC_OPERATION_TABLE, postponedResume, { name: "job", statecode: JobState.Ready, statuscode: JobStatus.WaitingForResources, postponeuntil: "2099-01-01T00:00:00Z" });
    uow.create(ASYNC_OPERATION_TABLE, stillPaused, { name: "job", statecode: JobState.Suspended, statuscode: JobStatus.Waiting });
    await uow.commit();
    const signals: [string, JobSignal][] = [];
    const orchestrations: JobOrchestrations = {
      state: async (jobId) => (jobId === attempting ? "running" : "paused"),
      start: async () => true,
      terminate: async () => undefined,
      signal: async (jobId, signal) => void signals.push([jobId, signal]),
    };
    const result = await sweepSystemJobs(jobs, [organization], orchestrations);
    expect(signals).toEqual([[resumedRow, { change: "resume", ifPaused: true }]]);
    expect(result).toEqual({ started: [], resumed: [resumedRow] });
  });

  it("starts a Waiting job and a postponed Ready job to wait until their postponeuntil, and no job a user paused", async () => {
    const store = new RecordStore(tableClientFor(`SweepPaused${Date.now()}`));
    await store.ensureTable();
    const jobs = new SystemJobStore(store);
    const organization = "contoso";
    const [waiting, postponed, paused] = [randomUUID(), randomUUID(), randomUUID()];
    const uow = store.beginUnitOfWork(organization);
    // Waiting after a failed attempt: the attempt set postponeuntil. Paused by a user: the pause cleared it.
    uow.create(ASYNC_OPERATION_TABLE, waiting, { name: "job", statecode: JobState.Suspended, statuscode: JobStatus.Waiting, retrycount: 1, postponeuntil: "2030-01-01T00:00:00Z" });
    uow.create(ASYNC_OPERATION_TABLE, postponed, { name: "job", statecode: JobState.Ready, statuscode: JobStatus.WaitingForResources, postponeuntil: "2031-01-01T00:00:00Z" });
    uow.create(ASYNC_OPERATION_TABLE, paused, { name: "job", statecode: JobState.Suspended, statuscode: JobStatus.Waiting, retrycount: 1 });
    await uow.commit();
    const started: JobOrchestrationInput[] = [];
    const orchestrations: JobOrchestrations = {
      state: async () => "none",
      start: async (input) => Boolean(started.push(input)),
      terminate: async () => undefined,
      signal: async () => undefined,
    };
    const result = await sweepSystemJobs(jobs, [organization], orchestrations);
    expect(result.started.sort()).toEqual([waiting, postponed].sort());
    expect(started).toEqual(
      expect.arrayContaining([
        { organization, jobId: waiting, notBefore: expect.stringMatching(/^2030-01-01T00:00:00/) },
        { organization, jobId: postponed, notBefore: expect.stringMatching(/^2031-01-01T00:00:00/) },
      ]),
    );
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
