import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndpointPoster } from "../../shared/delivery";
import { jobAttemptDependencies, JobState, JobStatus, runJobAttempt, type JobAttemptDependencies } from "../../shared/jobs";
import { eventually } from "../host/run-host";
import { uniqueOrganization } from "../support/data-service";
import { accountCreated, startTestHttpServer, type TestHttpServer } from "../support/delivery";
import { commitJob, registerQueueStep } from "../support/system-jobs";
import { pipelineForTests } from "../pipeline/support";

const organization = uniqueOrganization("dupat");
const { api: apiOf, service } = pipelineForTests([organization]);
const api = apiOf(organization);
const webApi = (method: string, path: string, body?: unknown) => api(method, path, { body, headers: { Prefer: "return=representation" } });
const job = async (jobId: string) => (await api("GET", `asyncoperations(${jobId})`)).json as Record<string, unknown>;

/** Activities run at least once: the same attempt of a job may run twice at once (a redelivered activity). */
describe("one attempt of a system job run twice at once", () => {
  const logged: Record<string, unknown>[] = [];
  const deps = jobAttemptDependencies(service, createEndpointPoster(), { attempt: (record) => void logged.push({ ...record }), post: () => undefined });
  let server: TestHttpServer;
  let hookStep: string;

  beforeAll(async () => {
    server = await startTestHttpServer();
    const endpoint = { name: "hook", contract: 8, authtype: 4, authvalue: "the-key", url: server.url, retrypolicy: JSON.stringify({ maxRetries: 3, retryDelayInMs: 60_000 }) };
    hookStep = await registerQueueStep(webApi, "", { endpoint });
  });
  afterAll(async () => {
    server.answerHung(503);
    await deps.poster.close();
    await server.close();
  });

  /** Both runs post (with one MessageId) and get the endpoint's `status`; returns what each run answered. */
  async function runTwiceAtOnce(jobId: string, status: number) {
    server.requests.length = 0;
    server.hang = true;
    const runs = Promise.all([runJobAttempt(deps, { organization, jobId }), runJobAttempt(deps, { organization, jobId })]);
    await eventually(() => expect(server.requests.length).toBe(2));
    server.hang = false;
    server.answerHung(status);
    return runs;
  }

  it("records one failed attempt: retrycount + 1 once, Waiting until the back-off (not taken for a pause)", async () => {
    const jobId = await commitJob(organization, hookStep, accountCreated());
    const results = await runTwiceAtOnce(jobId, 503);
    const row = await job(jobId);
    expect({ statecode: row.statecode, statuscode: row.statuscode, retrycount: row.retrycount }).toEqual({ statecode: JobState.Suspended, statuscode: JobStatus.Waiting, retrycount: 1 });
    expect(typeof row.postponeuntil).toBe("string");
    // Both runs tell the orchestration to wait for the one back-off the row shows.
    expect(results.map((result) => result.kind)).toEqual(["retry", "retry"]);
    const waits = results.map((result) => (result.kind === "retry" ? result.delayInMs : NaN));
    expect(Math.abs(waits[0] - waits[1])).toBeLessThan(5_000);
    expect(logged.filter((record) => record.jobId === jobId && record.outcome === "waiting")).toHaveLength(1);
  });

  it("records one success", async () => {
    const jobId = await commitJob(organization, hookStep, accountCreated());
    const results = await runTwiceAtOnce(jobId, 200);
    expect(results).toEqual([
      { kind: "completed", statuscode: JobStatus.Succeeded },
      { kind: "completed", statuscode: JobStatus.Succeeded },
    ]);
    const row = await job(jobId);
    expect({ statecode: row.statecode, statuscode: row.statuscode, retrycount: row.retrycount }).toEqual({ statecode: JobState.Completed, statuscode: JobStatus.Succeeded, retrycount: 0 });
    expect(logged.filter((record) => record.jobId === jobId && record.outcome === "succeeded")).toHaveLength(1);
  });
});

/** A user's change of a job committed between the attempt's read of the job and its In Progress write. */
describe("a user's change that commits while an attempt starts", () => {
  let server: TestHttpServer;
  let hookStep: string;
  let changeAfterRead: ((jobId: string) => Promise<void>) | undefined;
  const deps = jobAttemptDependencies(service, createEndpointPoster(), { attempt: () => undefined, post: () => undefined });
  const contexts = deps.contexts;
  // The attempt's read, then the user's change (through the Web API), then the rest of the attempt.
  const racing: JobAttemptDependencies = {
    ...deps,
    contexts: {
      readWithRecord: async (...args: Parameters<typeof contexts.readWithRecord>) => {
        const read = await contexts.readWithRecord(...args);
        await changeAfterRead?.(args[1]);
        return read;
      },
      read: (...args: Parameters<typeof contexts.read>) => contexts.read(...args),
      stageDelete: (...args: Parameters<typeof contexts.stageDelete>) => contexts.stageDelete(...args),
      delete: (...args: Parameters<typeof contexts.delete>) => contexts.delete(...args),
    },
  };

  beforeAll(async () => {
    server = await startTestHttpServer();
    hookStep = await registerQueueStep(webApi, "", { endpoint: { name: "hook", contract: 8, authtype: 4, authvalue: "the-key", url: server.url } });
  });
  afterAll(async () => {
    await deps.poster.close();
    await server.close();
  });

  it("a cancel: the attempt posts nothing and leaves the job Canceled", async () => {
    const jobId = await commitJob(organization, hookStep, accountCreated());
    changeAfterRead = async (id) => void expect((await api("PATCH", `asyncoperations(${id})`, { body: { statecode: JobState.Completed, statuscode: JobStatus.Canceled } })).status).toBe(204);
    const result = await runJobAttempt(racing, { organization, jobId });
    expect(result).toEqual({ kind: "stopped" });
    expect(server.requests).toHaveLength(0);
    expect(await job(jobId)).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Canceled });
  });

  it("a postpone of the Ready job: the attempt posts nothing, leaves the job Ready, and waits until then", async () => {
    const jobId = await commitJob(organization, hookStep, accountCreated());
    const until = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    changeAfterRead = async (id) => void expect((await api("PATCH", `asyncoperations(${id})`, { body: { postponeuntil: until } })).status).toBe(204);
    const result = await runJobAttempt(racing, { organization, jobId });
    expect(result).toEqual({ kind: "postponed", until: new Date(until).toISOString() });
    expect(server.requests).toHaveLength(0);
    expect(await job(jobId)).toMatchObject({ statecode: JobState.Ready, startedon: null, postponeuntil: until });
  });
});
