import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndpointPoster } from "../../shared/delivery";
import { jobAttemptDependencies, JobStatus } from "../../shared/jobs";
import { uniqueOrganization } from "../support/data-service";
import { accountCreated, startTestHttpServer, type TestHttpServer } from "../support/delivery";
import { attemptUntilDone, commitJob, registerQueueStep } from "../support/system-jobs";
import { pipelineForTests } from "../pipeline/support";

const organization = uniqueOrganization("jobreg");
/** This instance runs the jobs; `other` is a second instance of the app on the same storage (its own caches). */
const { api: apiOf, service } = pipelineForTests([organization]);
const other = pipelineForTests([organization]);
const api = apiOf(organization);
const asUser = (call: ReturnType<typeof apiOf>) => (method: string, path: string, body?: unknown) =>
  call(method, path, { body, headers: { Prefer: "return=representation" } });

describe("a system job's step and service endpoint, taken from the registration cache", () => {
  const deps = jobAttemptDependencies(service, createEndpointPoster(), { attempt: () => undefined, post: () => undefined });
  let first: TestHttpServer;
  let second: TestHttpServer;
  const webhookStep = (register: ReturnType<typeof asUser>, url: string) =>
    registerQueueStep(register, "", { endpoint: { name: "hook", contract: 8, authtype: 4, authvalue: "the-key", url, retrypolicy: JSON.stringify({ maxRetries: 0 }) } });
  const endpointOf = async (stepId: string) => (await api("GET", `sdkmessageprocessingsteps(${stepId})?$select=_eventhandler_value`)).json._eventhandler_value as string;
  const job = async (jobId: string) => (await api("GET", `asyncoperations(${jobId})`)).json as Record<string, unknown>;
  const run = async (stepId: string) => {
    const jobId = await commitJob(organization, stepId, accountCreated());
    const results = await attemptUntilDone(deps, { organization, jobId });
    return { jobId, result: results.at(-1) };
  };

  beforeAll(async () => {
    [first, second] = await Promise.all([startTestHttpServer(), startTestHttpServer()]);
  });
  afterAll(async () => {
    await deps.poster.close();
    await Promise.all([first.close(), second.close()]);
  });

  it("posts to the endpoint as a user changed it through this instance's Web API", async () => {
    const stepId = await webhookStep(asUser(api), first.url);
    expect((await run(stepId)).result).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });
    expect((await api("PATCH", `serviceendpoints(${await endpointOf(stepId)})`, { body: { url: second.url } })).status).toBeLessThan(300);
    const { jobId, result } = await run(stepId);
    expect(result).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });
    expect(second.requests.map((request) => JSON.parse(request.body).OperationId)).toEqual([jobId]);
  });

  it("fails the job of a step that was deleted, and of an endpoint that was deleted", async () => {
    const stepGone = await webhookStep(asUser(api), first.url);
    await deps.registrations.get(organization);
    expect((await api("DELETE", `sdkmessageprocessingsteps(${stepGone})`)).status).toBe(204);
    const withoutStep = await run(stepGone);
    expect(withoutStep.result).toEqual({ kind: "completed", statuscode: JobStatus.Failed });
    expect(await job(withoutStep.jobId)).toMatchObject({ message: expect.stringContaining("no longer exists") });

    const endpointGone = await webhookStep(asUser(api), first.url);
    await deps.registrations.get(organization);
    expect((await api("DELETE", `serviceendpoints(${await endpointOf(endpointGone)})`)).status).toBe(204);
    const withoutEndpoint = await run(endpointGone);
    expect(withoutEndpoint.result).toEqual({ kind: "completed", statuscode: JobStatus.Failed });
    expect(await job(withoutEndpoint.jobId)).toMatchObject({ message: expect.stringContaining("no longer exists") });
  });

  it("runs the job of a step another instance registered after this one cached the registrations", async () => {
    await deps.registrations.get(organization);
    const stepId = await webhookStep(asUser(other.api(organization)), first.url);
    expect((await run(stepId)).result).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });
  });
});
