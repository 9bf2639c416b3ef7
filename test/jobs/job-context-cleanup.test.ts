import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndpointPoster } from "../../shared/delivery";
import { jobAttemptDependencies, JobState, JobStatus, runJobAttempt } from "../../shared/jobs";
import { eventually } from "../host/run-host";
import { uniqueOrganization } from "../support/data-service";
import { accountCreated, startTestHttpServer, type TestHttpServer } from "../support/delivery";
import { commitJob, registerQueueStep } from "../support/system-jobs";
import { pipelineForTests } from "../pipeline/support";

const organization = uniqueOrganization("ctxgc");
const { api: apiOf, service } = pipelineForTests([organization]);
const api = apiOf(organization);
const webApi = (method: string, path: string, body?: unknown) => api(method, path, { body, headers: { Prefer: "return=representation" } });

describe("a finished system job's stored context", () => {
  const deps = jobAttemptDependencies(service, createEndpointPoster(), { attempt: () => undefined, post: () => undefined });
  let server: TestHttpServer;
  let hookStep: string;

  const webhookStep = (retrypolicy: object = {}) =>
    registerQueueStep(webApi, "", { endpoint: { name: "hook", contract: 8, authtype: 4, authvalue: "the-key", url: server.url, retrypolicy: JSON.stringify(retrypolicy) } });
  const storedContext = (jobId: string) => service.jobContexts.readJson(organization, jobId);
  /** How many of the job's context rows storage holds (listed by key range, not through the store under test). */
  const storedContextRows = async (jobId: string) =>
    (await service.store.listRows(organization, { from: `asyncoperationcontext|${jobId}|`, to: `asyncoperationcontext|${jobId}}` })).length;
  const job = async (jobId: string) => (await api("GET", `asyncoperations(${jobId})`)).json as Record<string, unknown> | undefined;

  beforeAll(async () => {
    server = await startTestHttpServer();
    hookStep = await webhookStep();
  });
  afterAll(async () => {
    await deps.poster.close();
    await server.close();
  });

  /** The attempt's round trips to the records table, its step and endpoint already cached. */
  const attempt = async (jobId: string) => {
    await deps.registrations.get(organization);
    return service.roundTrips.measure(() => runJobAttempt(deps, { organization, jobId }));
  };

  it("is deleted when the job Succeeded (every chunk of a large one), in the commit that records it", async () => {
    const jobId = await commitJob(organization, hookStep, accountCreated({ padding: 100_000 }));
    expect(await storedContext(jobId)).toEqual(expect.any(String));
    const { result, roundTrips } = await attempt(jobId);
    expect(result).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });
    // The job's row and its context's first row (point reads, side by side), the context's other rows (a range
    // query: the first row says how many), In Progress, then Succeeded with the context's rows deleted.
    expect(roundTrips).toBe(5);
    expect(await storedContextRows(jobId)).toBe(0);
    expect(await job(jobId)).toMatchObject({ statuscode: JobStatus.Succeeded });
  });

  it("is deleted with the job by asynchronous auto-delete", async () => {
    const autoDeleteStep = await webhookStep();
    expect((await api("PATCH", `sdkmessageprocessingsteps(${autoDeleteStep})`, { body: { asyncautodelete: true } })).status).toBeLessThan(300);
    const jobId = await commitJob(organization, autoDeleteStep, accountCreated());
    const { result, roundTrips } = await attempt(jobId);
    expect(result).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });
    // One more: the row is deleted only if still as written, which a batch cannot check (a cancel meanwhile wins).
    expect(roundTrips).toBe(5);
    expect((await api("GET", `asyncoperations(${jobId})`)).status).toBe(404);
    expect(await storedContext(jobId)).toBeUndefined();
  });

  it("is kept when the job Failed, for diagnosis", async () => {
    const strictStep = await webhookStep({ maxRetries: 0 });
    server.statuses.push(500);
    const jobId = await commitJob(organization, strictStep, accountCreated());
    expect(await runJobAttempt(deps, { organization, jobId })).toEqual({ kind: "completed", statuscode: JobStatus.Failed });
    expect(JSON.parse((await storedContext(jobId)) ?? "{}")).toMatchObject({ OperationId: jobId });
  });

  it("is deleted when a user cancels the job (every chunk of a large one), and when a user deletes it", async () => {
    const [cancelled, deleted] = await Promise.all([commitJob(organization, hookStep, accountCreated({ padding: 100_000 })), commitJob(organization, hookStep, accountCreated())]);
    expect(await storedContextRows(cancelled)).toBeGreaterThan(1);
    const cancel = await api("PATCH", `asyncoperations(${cancelled})`, { body: { statecode: JobState.Completed, statuscode: JobStatus.Canceled } });
    expect(cancel.status, JSON.stringify(cancel.json)).toBeLessThan(300);
    expect((await api("DELETE", `asyncoperations(${deleted})`)).status).toBe(204);
    // After the response: the rule's follow-ups run once the pipeline's commit is done.
    await eventually(async () => (await storedContextRows(cancelled)) === 0 && (await storedContextRows(deleted)) === 0, 10_000, "the contexts deleted");
    expect(await job(cancelled)).toMatchObject({ statuscode: JobStatus.Canceled });
    // A cancelled job is never attempted (and has nothing left to post).
    expect(await runJobAttempt(deps, { organization, jobId: cancelled })).toEqual({ kind: "stopped" });
  });

  it("is deleted by a user's cancel while the post is in flight, and the cancel wins: the job stays Canceled, even under asyncautodelete", async () => {
    const autoDeleteStep = await webhookStep();
    expect((await api("PATCH", `sdkmessageprocessingsteps(${autoDeleteStep})`, { body: { asyncautodelete: true } })).status).toBeLessThan(300);
    for (const stepId of [hookStep, autoDeleteStep]) {
      const jobId = await commitJob(organization, stepId, accountCreated());
      server.hang = true;
      const attempt = runJobAttempt(deps, { organization, jobId });
      await eventually(() => server.requests.some((request) => JSON.parse(request.body).OperationId === jobId), 10_000, "the post in flight");
      const cancel = await api("PATCH", `asyncoperations(${jobId})`, { body: { statecode: JobState.Completed, statuscode: JobStatus.Canceled } });
      expect(cancel.status, JSON.stringify(cancel.json)).toBeLessThan(300);
      server.hang = false;
      server.answerHung(200);
      expect(await attempt).toEqual({ kind: "stopped" });
      expect(await job(jobId)).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Canceled });
      await eventually(async () => (await storedContext(jobId)) === undefined, 10_000, "the context deleted");
    }
  });
});
