import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTableProxy, type TableProxy } from "../../local/storage/table-proxy";
import { JobState, JobStatus } from "../../shared/jobs";
import type { JobOrchestrations } from "../../shared/jobs/orchestrations";
import { uniqueOrganization } from "../support/data-service";
import { accountCreated } from "../support/delivery";
import { refusingRequests } from "../support/storage-faults";
import { commitJob, registerQueueStep } from "../support/system-jobs";
import { pipelineForTests } from "../pipeline/support";

const organization = uniqueOrganization("jobtell");

/** What the job-change rule told the orchestrations. */
const told: string[] = [];
const orchestrations: JobOrchestrations = {
  start: async (input) => {
    told.push(`start ${input.jobId}`);
    return true;
  },
  state: async () => "running",
  terminate: async (jobId) => void told.push(`terminate ${jobId}`),
  signal: async (jobId, change) => void told.push(`${change.change} ${jobId}`),
};

/** A user's change of a system job whose commit fails: the orchestration is told nothing (the job's row did not change). */
describe("a change of a system job whose commit fails", () => {
  // Refuses every write (not a read) of the job's row while armed with its id.
  const fault = refusingRequests<string>((request, jobId) => request.method !== "GET" && (request.url.includes(jobId) || request.body.includes(jobId)));
  let proxy: TableProxy;
  let api: ReturnType<ReturnType<typeof pipelineForTests>["api"]>;
  let stepId: string;

  beforeAll(async () => {
    proxy = await startTableProxy(process.env.AzureWebJobsStorage ?? "", fault.decide);
    api = pipelineForTests([organization], { storage: proxy.connectionString, jobOrchestrations: () => orchestrations }).api(organization);
    const webApi = (method: string, path: string, body?: unknown) => api(method, path, { body, headers: { Prefer: "return=representation" } });
    stepId = await registerQueueStep(webApi, "", { endpoint: { name: "hook", contract: 8, authtype: 4, authvalue: "the-key", url: "http://127.0.0.1:9/hook" } });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it.each([
    ["cancel", { statecode: JobState.Completed, statuscode: JobStatus.Canceled }],
    ["postpone", { postponeuntil: "2099-01-01T00:00:00Z" }],
  ])("%s: the request fails, the row is unchanged, and the orchestration is neither terminated nor signalled", async (_change, body) => {
    const jobId = await commitJob(organization, stepId, accountCreated());
    told.length = 0;
    fault.arm(jobId);
    const changed = await api("PATCH", `asyncoperations(${jobId})`, { body }).finally(() => fault.disarm());

    expect(changed.status).toBeGreaterThanOrEqual(500);
    expect(fault.refused()).toBeGreaterThan(0);
    expect((await api("GET", `asyncoperations(${jobId})?$select=statecode,postponeuntil`)).json).toMatchObject({ statecode: JobState.Ready, postponeuntil: null });
    expect(told).toEqual([]);
    // Committed, the same change is told.
    expect((await api("PATCH", `asyncoperations(${jobId})`, { body })).status).toBe(204);
    expect(told).toEqual([expect.stringContaining(jobId)]);
  });
});
