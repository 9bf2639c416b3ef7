import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceBusBroker, type ServiceBusBroker } from "../../local/servicebus/broker";
import { RecordStore } from "../../shared/dataservice";
import { createRecordsTableClient } from "../../shared/dataservice/store/table-client";
import { JobState, JobStatus, SystemJobStore } from "../../shared/jobs";
import { JobContextStore } from "../../shared/pipeline/job-context-store";
import { eventually, SAMPLE_KEYS, type HostUnderTest } from "../host/run-host";
import { accountCreated, withTestHttpServer, type TestHttpServer } from "../support/delivery";
import { uniqueOrganization } from "../support/data-service";
import { jobTimers, listenerLines, pendingJobTimers } from "./host-lines";
import {
  attemptLines,
  brokerConfigWithUnreadQueue,
  listReceipts,
  commitJob,
  orchestrationCustomStatus,
  orchestrationStatus,
  receiptsFor,
  registerQueueStep,
  runSweep,
  startJobOrchestration,
  startProjectHost,
  structuredLines,
  webApi,
} from "../support/system-jobs";

const organization = uniqueOrganization("jobs");
const TIME_SCALE = 10;
/** The webhook steps' first back-off (`hookStep`'s default retryDelayInMs); 0.1 s at this time scale. */
const HOOK_BACK_OFF_MS = 1_000;
/** How long `ms` of orchestration time lasts on this host. */
const scaled = (ms: number) => ms / TIME_SCALE;
const storedContexts = new JobContextStore(new RecordStore(createRecordsTableClient()));
/** The job rows as storage has them: a user's change written here is one whose signal to the orchestration was lost. */
const jobRows = new SystemJobStore(new RecordStore(createRecordsTableClient()));

describe("system jobs through the local runtime", () => {
  let broker: ServiceBusBroker;
  let host: HostUnderTest;
  let stepId: string;
  const api = webApi(() => host, organization);

  const job = async (jobId: string) => (await api("GET", `asyncoperations(${jobId})`)).json as Record<string, unknown>;
  const completed = (jobIds: string[]) =>
    eventually(async () => {
      const rows = await Promise.all(jobIds.map(job));
      return rows.every((row) => row.statecode === JobState.Completed) && rows;
    }, 40_000, `jobs ${jobIds.join(", ")} completed`);

  /** A webhook step on contact Update posting to `hook`, with a back-off of `retryDelayInMs` (then doubling). */
  const hookStep = (hook: TestHttpServer, name: string, retryDelayInMs = HOOK_BACK_OFF_MS) =>
    registerQueueStep(api, "", {
      message: "Update",
      table: "contact",
      endpoint: { name, contract: 8, authtype: 4, authvalue: "the-key", url: hook.url, retrypolicy: JSON.stringify({ retryDelayInMs }) },
    });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** The orchestration waits paused: it waits for a user's change only (no timer), so no attempt comes until a resume. */
  const waitsPaused = (jobId: string) => eventually(async () => (await orchestrationCustomStatus(host, jobId)) === "paused", 30_000, `${jobId}'s orchestration to wait paused`);
  /** The orchestration waits on a durable timer set for `until` or later (its next attempt not before then). */
  const waitsUntil = (jobId: string, until: string) =>
    eventually(async () => (await pendingJobTimers(host, jobId)).some((fireAt) => fireAt >= Date.parse(until)), 30_000, `${jobId}'s orchestration to wait until ${until}`);

  /** A job whose first post the endpoint leaves hanging: returns when that post has arrived (the attempt In Progress). */
  const inFirstAttempt = async (hook: TestHttpServer, stepId: string) => {
    hook.hang = true;
    const jobId = await commitJob(organization, stepId, accountCreated());
    await startJobOrchestration(host, organization, jobId);
    await eventually(() => hook.requests.length === 1, 30_000, "the first post");
    return jobId;
  };

  /**
   * A job whose first post the endpoint answers 503 and whose second post it leaves hanging: returns when
   * the second attempt is In Progress (its post unanswered).
   */
  const inSecondAttempt = async (hook: TestHttpServer, stepId: string) => {
    const jobId = await inFirstAttempt(hook, stepId);
    hook.answerHung(503);
    await eventually(() => hook.requests.length === 2, 30_000, "the second post");
    expect(attemptLines(host, jobId).map((line) => line.outcome)).toEqual(["waiting"]);
    expect(await job(jobId)).toMatchObject({ statecode: JobState.Locked, statuscode: JobStatus.InProgress, retrycount: 1 });
    return jobId;
  };

  beforeAll(async () => {
    broker = await startServiceBusBroker({ config: brokerConfigWithUnreadQueue() });
    // Ten times faster: the default back-off (5 s, 10 s, 20 s, …) becomes 0.5 s, 1 s, 2 s, …
    host = await startProjectHost(organization, broker.connectionString, { timeScale: TIME_SCALE, env: { ServiceEndpointReplyTimeoutSeconds: "1" } });
    stepId = await registerQueueStep(api, broker.connectionString);
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    await broker?.stop();
  });

  it("posts the context of an account Create's asynchronous step: the job Succeeded, received once by the listener", async () => {
    const account = await api("POST", "accounts", { name: "Fabrikam" });
    expect(account.status).toBe(201);
    const accountId = account.json.accountid as string;
    const jobs = await api("GET", `asyncoperations?$filter=_regardingobjectid_value eq ${accountId}&$select=asyncoperationid,operationtype,_owningextensionid_value`);
    expect(jobs.json.value).toEqual([expect.objectContaining({ operationtype: 1, _owningextensionid_value: stepId })]);
    const jobId = jobs.json.value[0].asyncoperationid as string;
    const [row] = await completed([jobId]);
    expect(row).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Succeeded, retrycount: 0 });
    expect(row.startedon).toEqual(expect.any(String));
    expect(row.completedon).toEqual(expect.any(String));
    const receipts = await eventually(async () => (await receiptsFor([jobId])).length === 1 && receiptsFor([jobId]), 20_000, "the receipt");
    expect(receipts[0]).toMatchObject({ operationId: jobId, organizationName: organization, primaryEntityId: accountId, messageName: "Create", mode: 1, stage: 40 });
    expect(await orchestrationStatus(host, jobId)).toBe("Completed");
    expect(attemptLines(host, jobId)).toEqual([expect.objectContaining({ organization, jobId, stepId, attempt: 1, outcome: "succeeded" })]);
    // The orchestration's input and history carry the job reference and the job's row as committed (its version,
    // for the first attempt), never the context (the account's name).
    const instance = await fetch(
      `${host.baseUrl}/runtime/webhooks/durabletask/instances/${jobId}?code=${SAMPLE_KEYS.durable}&showHistory=true&showHistoryOutput=true&showInput=true`,
    );
    const status = (await instance.json()) as { input: unknown; historyEvents: { EventType: number; Input?: string }[] };
    const committed = { table: "asyncoperation", id: jobId, etag: expect.any(String), writtenOn: expect.any(String), values: expect.objectContaining({ statecode: JobState.Ready, regardingobjectid: { id: accountId, logicalName: "account" } }) };
    expect(status.input).toEqual({ organization, jobId, committed });
    const scheduled = status.historyEvents.filter((e) => e.EventType === 4);
    expect(scheduled.map((e) => JSON.parse(String(e.Input)))).toEqual([{ organization, jobId, committed }]);
    expect(JSON.stringify(status)).not.toContain("Fabrikam");
    // Delivered: the job's stored context rows are gone.
    await eventually(async () => (await storedContexts.readJson(organization, jobId)) === undefined, 10_000, "the context deleted");
  });

  it("keeps jobs Waiting with growing back-off while the broker is down, then delivers each once; a cancelled waiting job makes no further attempt", async () => {
    broker.interrupt();
    let jobIds: string[] = [];
    try {
      jobIds = await Promise.all([1, 2, 3].map(() => commitJob(organization, stepId, accountCreated())));
      await Promise.all(jobIds.map((jobId) => startJobOrchestration(host, organization, jobId)));
      const cancelled = jobIds[2];
      await eventually(async () => (await job(cancelled)).statecode === JobState.Suspended, 30_000, "the job to wait");
      const cancel = await api("PATCH", `asyncoperations(${cancelled})`, { statecode: JobState.Completed, statuscode: JobStatus.Canceled });
      expect(cancel.status, JSON.stringify(cancel.json)).toBeLessThan(300);
      await eventually(() => jobIds.slice(0, 2).every((jobId) => attemptLines(host, jobId).filter((line) => line.outcome === "waiting").length >= 2), 30_000, "two waits each");
    } finally {
      broker.resume();
    }
    const [first, second, cancelled] = jobIds;
    const rows = await completed([first, second]);
    for (const row of rows) {
      expect(row).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Succeeded });
      expect(row.retrycount).toBeGreaterThanOrEqual(2);
    }
    for (const jobId of [first, second]) {
      const waits = attemptLines(host, jobId).filter((line) => line.outcome === "waiting").map((line) => Number(line.retryDelayInMs));
      expect(waits[1]).toBeGreaterThan(waits[0]);
      expect(attemptLines(host, jobId).at(-1)).toMatchObject({ outcome: "succeeded" });
    }
    for (const jobId of [first, second]) {
      // Observed, not only requested, from the times the engine recorded in the orchestration's history: each
      // back-off was a durable timer of that length, and it fired at least that long (÷ the time scale) after
      // the attempt before it completed (a Node timer may run a millisecond early).
      const waits = attemptLines(host, jobId).filter((line) => line.outcome === "waiting").map((line) => Number(line.retryDelayInMs));
      const timers = await jobTimers(host, jobId);
      expect(timers.map((timer) => timer.requestedMs)).toEqual(waits);
      for (const timer of timers) expect(timer.firedAt - timer.afterAttemptAt, `a timer of ${jobId}`).toBeGreaterThanOrEqual(timer.requestedMs / TIME_SCALE - 2);
    }
    const receipts = await eventually(async () => {
      const found = await receiptsFor(jobIds);
      return found.length >= 2 && found;
    }, 30_000, "the receipts");
    expect(receipts.map((receipt) => receipt.operationId).sort()).toEqual([first, second].sort());
    // A receipt row per OperationId hides a second delivery: the listener logs it as a duplicate.
    await eventually(() => [first, second].every((jobId) => listenerLines(host.output, "recorded", jobId).length === 1), 10_000, "the listener's lines");
    expect([first, second].flatMap((jobId) => listenerLines(host.output, "duplicate", jobId))).toEqual([]);
    const received = structuredLines(host, "listenerReceipt").find((line) => line.record.operationId === first);
    expect(received).toMatchObject({ level: "information", functionName: "dataverseQueueListener", record: { status: "recorded", organization, correlationId: expect.any(String), source: "dataverse-events" } });

    expect(await job(cancelled)).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Canceled });
    expect(await orchestrationStatus(host, cancelled)).toBe("Terminated");
    // The broker is back: any attempt of the cancelled job now would post its context, and the listener would
    // record it. Terminated, its orchestration schedules no attempt; no signal tells that an attempt begun before
    // the cancel is over, so this waits twice the back-off its next attempt would have had (the default policy
    // doubles it) at this time scale, and nothing reached the listener.
    const lastBackOff = Math.max(5_000, ...attemptLines(host, cancelled).filter((line) => line.outcome === "waiting").map((line) => Number(line.retryDelayInMs)));
    await sleep(2 * scaled(2 * lastBackOff));
    expect(await receiptsFor([cancelled])).toEqual([]);
    expect(listenerLines(host.output, "recorded", cancelled)).toEqual([]);
    expect(attemptLines(host, cancelled).filter((line) => line.outcome === "succeeded")).toEqual([]);
  });

  it("truncates an oversize context with the property; fails one still too large without sending it", async () => {
    const large = await commitJob(organization, stepId, accountCreated({ padding: 200_000 }));
    const tooLarge = await commitJob(organization, stepId, accountCreated({ agent: "a".repeat(200_000) }));
    await Promise.all([large, tooLarge].map((jobId) => startJobOrchestration(host, organization, jobId)));
    const [sent, refused] = await completed([large, tooLarge]);
    expect(sent).toMatchObject({ statuscode: JobStatus.Succeeded });
    expect(refused).toMatchObject({ statuscode: JobStatus.Failed, retrycount: 0, errorcode: expect.any(Number) });
    expect(String(refused.message)).toMatch(/over the limit/);
    expect(refused.friendlymessage).toEqual(expect.any(String));
    const receipts = await eventually(async () => {
      const found = await receiptsFor([large]);
      return found.length === 1 && found;
    }, 20_000, "the truncated post's receipt");
    expect(receipts[0].truncated).toBe(true);
    expect(await receiptsFor([tooLarge])).toEqual([]);
    expect(attemptLines(host, large)).toEqual([expect.objectContaining({ outcome: "succeeded", truncated: true })]);
  });

  it("refuses changes §F.1 does not allow, with a 400, and changes nothing", async () => {
    const jobId = await commitJob(organization, stepId, accountCreated());
    const before = await job(jobId);
    for (const change of [{ name: "renamed" }, { statecode: JobState.Completed, statuscode: JobStatus.Succeeded }, { statecode: JobState.Suspended }, { statuscode: 31 }]) {
      const response = await api("PATCH", `asyncoperations(${jobId})`, change);
      expect(response.status, JSON.stringify(change)).toBe(400);
      expect(response.json.error.message).toMatch(/asyncoperation/);
    }
    expect(await job(jobId)).toMatchObject({ statecode: before.statecode, statuscode: before.statuscode, name: before.name });
    const postpone = await api("PATCH", `asyncoperations(${jobId})`, { postponeuntil: "2099-01-01T00:00:00Z" });
    expect(postpone.status).toBeLessThan(300);
    expect((await api("DELETE", `asyncoperations(${jobId})`)).status).toBe(204);
    const created = await api("POST", "asyncoperations", { name: "by hand", operationtype: 1 });
    expect(created.status).toBe(400);
    expect(created.json.error.message).toMatch(/created by the platform/);
  });

  it("posts at once for a synchronous service-endpoint step, within the request (no system job)", async () => {
    await registerQueueStep(api, broker.connectionString, { table: "contact", mode: 0 });
    const contact = await api("POST", "contacts", { lastname: "Synchronous" });
    expect(contact.status, JSON.stringify(contact.json)).toBe(201);
    const contactId = contact.json.contactid as string;
    expect((await api("GET", `asyncoperations?$filter=_regardingobjectid_value eq ${contactId}`)).json.value).toEqual([]);
    const receipt = await eventually(async () => {
      const all = await listReceipts();
      return all.find((candidate) => candidate.primaryEntityId === contactId);
    }, 20_000, "the synchronous post's receipt");
    expect(receipt).toMatchObject({ messageName: "Create", primaryEntityName: "contact", mode: 0, stage: 40 });
    // The post's own line, in the Web API's invocation, with the ids to find it by.
    const posted = structuredLines(host, "serviceEndpointPost").filter((line) => line.record.correlationId === receipt?.correlationId);
    expect(posted).toEqual([
      expect.objectContaining({
        level: "information",
        functionName: "dataverseWebApi",
        record: expect.objectContaining({ organization, operationId: receipt?.operationId, contract: "Queue", outcome: "succeeded", serviceEndpointId: expect.any(String), durationInMs: expect.any(Number) }),
      }),
    ]);
  });

  it("retries a two-way post no listener answers, then fails the job after the endpoint's retries", async () => {
    const twoWayStep = await registerQueueStep(api, broker.connectionString, {
      message: "Update",
      endpoint: { name: "two-way, nobody listening", contract: 4, path: "two-way-requests", retrypolicy: JSON.stringify({ maxRetries: 2 }) },
    });
    const jobId = await commitJob(organization, twoWayStep, accountCreated());
    await startJobOrchestration(host, organization, jobId);
    const [row] = await completed([jobId]);
    expect(row).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Failed, retrycount: 2 });
    expect(String(row.message)).toMatch(/no listener answered/);
    expect(attemptLines(host, jobId).map((line) => line.outcome)).toEqual(["waiting", "waiting", "failed"]);
    // Each at its level, in its activity's invocation, with the contract's name.
    const lines = structuredLines(host, "systemJobAttempt").filter((line) => line.record.jobId === jobId);
    expect(lines.map((line) => [line.level, line.functionName, line.record.contract])).toEqual([
      ["warning", "systemJobAttempt", "TwoWay"],
      ["warning", "systemJobAttempt", "TwoWay"],
      ["error", "systemJobAttempt", "TwoWay"],
    ]);
    expect(new Set(lines.map((line) => line.invocationId)).size).toBe(3);
  });

  it("attempts a waiting job at once when a user resumes it", async () => {
    // A ten-minute back-off (one minute at this time scale): only the resume can make the job finish within the wait below.
    const patientStep = await registerQueueStep(api, broker.connectionString, {
      message: "Update",
      table: "contact",
      endpoint: { name: "patient queue", retrypolicy: JSON.stringify({ retryDelayInMs: 600_000 }) },
    });
    broker.interrupt();
    let jobId: string;
    try {
      jobId = await commitJob(organization, patientStep, accountCreated());
      await startJobOrchestration(host, organization, jobId);
      await eventually(async () => (await job(jobId)).statecode === JobState.Suspended, 30_000, "the job to wait");
    } finally {
      broker.resume();
    }
    const resume = await api("PATCH", `asyncoperations(${jobId})`, { statecode: JobState.Ready });
    expect(resume.status, JSON.stringify(resume.json)).toBeLessThan(300);
    // The back-off's time is cleared: a Ready job with a postponeuntil still to come would not be attempted yet.
    expect(resume.json.postponeuntil ?? null).toBeNull();
    const [row] = await completed([jobId]);
    expect(row).toMatchObject({ statuscode: JobStatus.Succeeded, retrycount: 1 });
    expect(attemptLines(host, jobId).map((line) => line.outcome)).toEqual(["waiting", "succeeded"]);
  });

  it("pauses a job In Progress: no further attempt until a user resumes it, then it Succeeds", () =>
    withTestHttpServer(async (hook) => {
      const hookStep = await registerQueueStep(api, "", {
        message: "Update",
        table: "contact",
        endpoint: { name: "paused hook", contract: 8, authtype: 4, authvalue: "the-key", url: hook.url, retrypolicy: JSON.stringify({ retryDelayInMs: 1_000 }) },
      });
      // The endpoint holds the first post unanswered: the job stays In Progress while the user pauses it.
      const jobId = await inFirstAttempt(hook, hookStep);
      expect(await job(jobId)).toMatchObject({ statecode: JobState.Locked, statuscode: JobStatus.InProgress });
      const pause = await api("PATCH", `asyncoperations(${jobId})`, { statecode: JobState.Suspended });
      expect(pause.status, JSON.stringify(pause.json)).toBeLessThan(300);
      hook.hang = false;
      hook.answerHung(503);
      await eventually(() => attemptLines(host, jobId).length === 1, 30_000, "the first attempt's outcome");
      expect(attemptLines(host, jobId)).toEqual([expect.objectContaining({ outcome: "waiting" })]);

      // Paused (told by the pause, or by the next attempt finding the row paused before posting): it waits for a resume only.
      await waitsPaused(jobId);
      expect(hook.requests).toHaveLength(1);
      expect(attemptLines(host, jobId)).toHaveLength(1);
      expect(await job(jobId)).toMatchObject({ statecode: JobState.Suspended, statuscode: JobStatus.Waiting, retrycount: 1 });

      const resume = await api("PATCH", `asyncoperations(${jobId})`, { statecode: JobState.Ready });
      expect(resume.status, JSON.stringify(resume.json)).toBeLessThan(300);
      const [row] = await completed([jobId]);
      expect(row).toMatchObject({ statuscode: JobStatus.Succeeded, retrycount: 1 });
      expect(hook.requests).toHaveLength(2);
      expect(attemptLines(host, jobId).map((line) => line.outcome)).toEqual(["waiting", "succeeded"]);
    }));

  it("holds a job a user pauses during its second attempt: no attempt until resume, then it attempts", () =>
    withTestHttpServer(async (hook) => {
      // Back-off 0.5 s, then 1 s at this time scale.
      const jobId = await inSecondAttempt(hook, await hookStep(hook, "paused in attempt 2", 5_000));
      const pause = await api("PATCH", `asyncoperations(${jobId})`, { statecode: JobState.Suspended });
      expect(pause.status, JSON.stringify(pause.json)).toBeLessThan(300);
      hook.answerHung(503);
      await eventually(() => attemptLines(host, jobId).length === 2, 30_000, "the second attempt's outcome");
      expect(attemptLines(host, jobId).map((line) => line.outcome)).toEqual(["waiting", "waiting"]);

      // The orchestration waits paused (for a resume only): no third post. The row says paused (no postponeuntil).
      await waitsPaused(jobId);
      expect(hook.requests).toHaveLength(2);
      expect(attemptLines(host, jobId)).toHaveLength(2);
      const paused = await job(jobId);
      expect(paused).toMatchObject({ statecode: JobState.Suspended, statuscode: JobStatus.Waiting, retrycount: 2 });
      expect(paused.postponeuntil ?? null).toBeNull();

      hook.hang = false;
      const resume = await api("PATCH", `asyncoperations(${jobId})`, { statecode: JobState.Ready });
      expect(resume.status, JSON.stringify(resume.json)).toBeLessThan(300);
      const [row] = await completed([jobId]);
      expect(row).toMatchObject({ statuscode: JobStatus.Succeeded, retrycount: 2 });
      expect(hook.requests).toHaveLength(3);
      expect(attemptLines(host, jobId).map((line) => line.outcome)).toEqual(["waiting", "waiting", "succeeded"]);
    }), 60_000);

  it("honours a postpone sent during the second attempt: the row and the next attempt keep the later of back-off and the user's time", () =>
    withTestHttpServer(async (hook) => {
      const jobId = await inSecondAttempt(hook, await hookStep(hook, "postponed in attempt 2", 5_000));
      const until = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      const postpone = await api("PATCH", `asyncoperations(${jobId})`, { postponeuntil: until });
      expect(postpone.status, JSON.stringify(postpone.json)).toBeLessThan(300);
      hook.answerHung(503);
      await eventually(() => attemptLines(host, jobId).length === 2, 30_000, "the second attempt's outcome");

      // The next attempt waits on a timer for the user's time, not the back-off (1 s at this time scale): no third post.
      await waitsUntil(jobId, until);
      expect(hook.requests).toHaveLength(2);
      const row = await job(jobId);
      expect(row).toMatchObject({ statecode: JobState.Suspended, statuscode: JobStatus.Waiting, retrycount: 2 });
      expect(Date.parse(String(row.postponeuntil))).toBe(Date.parse(until));
      expect((await api("PATCH", `asyncoperations(${jobId})`, { statecode: JobState.Completed })).status).toBeLessThan(300);
    }), 60_000);

  it("does not attempt a Ready job a user postponed before its attempt started, until its postponeuntil", () =>
    withTestHttpServer(async (hook) => {
      const stepId = await hookStep(hook, "postponed while Ready");
      const jobId = await commitJob(organization, stepId, accountCreated());
      const later = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      expect((await api("PATCH", `asyncoperations(${jobId})`, { postponeuntil: later })).status).toBeLessThan(300);
      // Started as the dispatcher starts it: no notBefore.
      await startJobOrchestration(host, organization, jobId);
      // Its attempt found the job postponed without posting: the orchestration waits on a timer for postponeuntil.
      await waitsUntil(jobId, later);
      expect(hook.requests).toEqual([]);
      expect(attemptLines(host, jobId)).toEqual([]);
      const postponed = await job(jobId);
      expect(postponed).toMatchObject({ statecode: JobState.Ready, retrycount: 0 });
      expect(Date.parse(String(postponed.postponeuntil))).toBe(Date.parse(later));
      expect(await orchestrationStatus(host, jobId)).toBe("Running");

      // Postponed again, to now: the waiting orchestration attempts it.
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      expect((await api("PATCH", `asyncoperations(${jobId})`, { postponeuntil: now })).status).toBeLessThan(300);
      const [row] = await completed([jobId]);
      expect(row).toMatchObject({ statuscode: JobStatus.Succeeded, retrycount: 0 });
      expect(hook.requests).toHaveLength(1);
    }), 60_000);

  it("runs a job whose resume reached its row but not its paused orchestration, once the sweep ran", () =>
    withTestHttpServer(async (hook) => {
      const stepId = await hookStep(hook, "resume lost");
      const jobId = await inFirstAttempt(hook, stepId);
      expect((await api("PATCH", `asyncoperations(${jobId})`, { statecode: JobState.Suspended })).status).toBeLessThan(300);
      hook.hang = false;
      hook.answerHung(503);
      await waitsPaused(jobId);

      // The resume as the Web API commits it (Ready, postponeuntil cleared), its signal lost.
      await jobRows.update({ organization, jobId }, () => ({ statecode: JobState.Ready, statuscode: JobStatus.WaitingForResources, postponeuntil: null }));
      // Waiting paused, the orchestration waits for an event only; nothing signals that it did not act on the row,
      // so this waits ten times the back-off it would otherwise have waited (at this time scale): no second post.
      await sleep(10 * scaled(HOOK_BACK_OFF_MS));
      expect(await orchestrationCustomStatus(host, jobId)).toBe("paused");
      expect(hook.requests).toHaveLength(1);
      await runSweep(host);
      const [row] = await completed([jobId]);
      expect(row).toMatchObject({ statuscode: JobStatus.Succeeded, retrycount: 1 });
      expect(hook.requests).toHaveLength(2);
      expect(attemptLines(host, jobId).map((line) => line.outcome)).toEqual(["waiting", "succeeded"]);
    }), 60_000);

  it("holds a job its row shows paused though the orchestration was not told: the next attempt does not post; a resume runs it", () =>
    withTestHttpServer(async (hook) => {
      const stepId = await hookStep(hook, "pause lost");
      const jobId = await inFirstAttempt(hook, stepId);
      // The pause as the Web API commits it (Suspended, postponeuntil cleared), its signal lost.
      await jobRows.update({ organization, jobId }, () => ({ statecode: JobState.Suspended, statuscode: JobStatus.Waiting, postponeuntil: null }));
      hook.hang = false;
      hook.answerHung(503);
      await eventually(() => attemptLines(host, jobId).length === 1, 30_000, "the first attempt's outcome");

      // The back-off's timer fired and the next attempt found the row paused before posting: the orchestration waits paused, no second post.
      await waitsPaused(jobId);
      expect(await jobTimers(host, jobId)).toHaveLength(1);
      expect(hook.requests).toHaveLength(1);
      expect(attemptLines(host, jobId).map((line) => line.outcome)).toEqual(["waiting"]);
      const paused = await job(jobId);
      expect(paused).toMatchObject({ statecode: JobState.Suspended, statuscode: JobStatus.Waiting, retrycount: 1 });
      expect(paused.postponeuntil ?? null).toBeNull();
      expect(await orchestrationCustomStatus(host, jobId)).toBe("paused");

      expect((await api("PATCH", `asyncoperations(${jobId})`, { statecode: JobState.Ready })).status).toBeLessThan(300);
      const [row] = await completed([jobId]);
      expect(row).toMatchObject({ statuscode: JobStatus.Succeeded, retrycount: 1 });
      expect(hook.requests).toHaveLength(2);
    }), 60_000);

  it("runs an asynchronous plug-in step in the job: success, and the plug-in's error as the job's failure", async () => {
    const message = (await api("GET", "sdkmessages?$filter=name eq 'Create'&$select=sdkmessageid")).json.value[0].sdkmessageid;
    const type = (await api("GET", "plugintypes?$filter=name eq 'account-defaults.AccountDefaults'&$select=plugintypeid")).json.value[0].plugintypeid;
    const step = await api("POST", "sdkmessageprocessingsteps", {
      name: "AccountDefaults, asynchronously",
      stage: 40,
      mode: 1,
      rank: 2,
      "sdkmessageid@odata.bind": `/sdkmessages(${message})`,
      "eventhandler_plugintype@odata.bind": `/plugintypes(${type})`,
    });
    expect(step.status, JSON.stringify(step.json)).toBe(201);
    const pluginJob = async (name: string) => {
      const account = await api("POST", "accounts", { name });
      expect(account.status).toBe(201);
      const jobs = await api("GET", `asyncoperations?$filter=_regardingobjectid_value eq ${account.json.accountid} and _owningextensionid_value eq ${step.json.sdkmessageprocessingstepid}`);
      expect(jobs.json.value).toHaveLength(1);
      return jobs.json.value[0].asyncoperationid as string;
    };
    const [fine, tooShort] = await Promise.all([pluginJob("Northwind"), pluginJob("N")]);
    const [succeeded, failed] = await completed([fine, tooShort]);
    expect(succeeded).toMatchObject({ statuscode: JobStatus.Succeeded });
    expect(failed).toMatchObject({ statuscode: JobStatus.Failed, retrycount: 0, message: "An account name needs at least two characters." });
  });
});
