import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndpointPoster } from "../../shared/delivery";
import { jobAttemptDependencies, JobState, JobStatus, runJobAttempt } from "../../shared/jobs";
import type { CommittedJob } from "../../shared/pipeline/ports";
import { uniqueOrganization } from "../support/data-service";
import { startTestHttpServer, type TestHttpServer } from "../support/delivery";
import { registerQueueStep } from "../support/system-jobs";
import { pipelineForTests } from "../pipeline/support";

// A job's first attempt takes the job's row as the request committed it (the orchestration's input), so it
// reads only the context; the In Progress write is conditional on that row's version, so a user's change
// since the commit still counts.
const organization = uniqueOrganization("first");
const committed: CommittedJob[] = [];
const { api: apiOf, service } = pipelineForTests([organization], { dispatcher: { jobsCommitted: async (_organization, jobs) => void committed.push(...jobs) } });
const api = apiOf(organization);
const webApi = (method: string, path: string, body?: unknown) => api(method, path, { body, headers: { Prefer: "return=representation" } });

describe("a system job's first attempt", () => {
  const deps = jobAttemptDependencies(service, createEndpointPoster(), { attempt: () => undefined, post: () => undefined });
  let server: TestHttpServer;

  beforeAll(async () => {
    server = await startTestHttpServer();
    await registerQueueStep(webApi, "", { endpoint: { name: "hook", contract: 8, authtype: 4, authvalue: "the-key", url: server.url } });
  });
  afterAll(async () => {
    await deps.poster.close();
    await server.close();
  });

  /** Creates an account (its job committed), and returns the job as the dispatcher was handed it. */
  const commitJob = async (): Promise<CommittedJob> => {
    committed.length = 0;
    const created = await webApi("POST", "accounts", { name: "Contoso" });
    expect(created.status).toBe(201);
    expect(committed).toHaveLength(1);
    return committed[0];
  };
  const attempt = async (job: CommittedJob) => {
    await deps.registrations.get(organization);
    return service.roundTrips.measure(() => runJobAttempt(deps, { organization, jobId: job.id, committed: job.row }));
  };
  const postsFor = (jobId: string) => server.requests.filter((request) => request.body.includes(jobId));

  it("is handed the job's row as committed, with its version", async () => {
    const job = await commitJob();
    const stored = (await api("GET", `asyncoperations(${job.id})`)).json as Record<string, unknown>;
    expect(job.row).toMatchObject({ id: job.id, etag: stored["@odata.etag"], values: { statecode: JobState.Ready, statuscode: JobStatus.WaitingForResources, retrycount: 0 } });
  });

  it("reads only the context: the context, In Progress, Succeeded", async () => {
    const job = await commitJob();
    const { result, roundTrips } = await attempt(job);
    expect(result).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });
    expect(roundTrips).toBe(3);
    expect(postsFor(job.id)).toHaveLength(1);
  });

  it("stops, posting nothing, when a user cancelled the job after the commit", async () => {
    const job = await commitJob();
    const cancel = await webApi("PATCH", `asyncoperations(${job.id})`, { statecode: JobState.Completed, statuscode: JobStatus.Canceled });
    expect(cancel.status, JSON.stringify(cancel.json)).toBeLessThan(300);
    const { result } = await attempt(job);
    expect(result).toEqual({ kind: "stopped" });
    expect(postsFor(job.id)).toEqual([]);
    expect((await api("GET", `asyncoperations(${job.id})`)).json).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Canceled });
  });

  it("waits, posting nothing, when a user postponed the job after the commit", async () => {
    const job = await commitJob();
    const until = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000).toISOString();
    const postpone = await webApi("PATCH", `asyncoperations(${job.id})`, { postponeuntil: until });
    expect(postpone.status, JSON.stringify(postpone.json)).toBeLessThan(300);
    const { result } = await attempt(job);
    expect(result).toEqual({ kind: "postponed", until });
    expect(postsFor(job.id)).toEqual([]);
  });
});
