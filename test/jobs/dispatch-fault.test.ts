import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceBusBroker } from "../../local/servicebus/broker";
import { refusingRequests } from "../support/storage-faults";
import { JobState, JobStatus } from "../../shared/jobs";
import { eventually, type HostUnderTest } from "../host/run-host";
import { uniqueOrganization } from "../support/data-service";
import { registerQueueStep, runSweep, startProjectHostBehindProxy, structuredLines, webApi } from "../support/system-jobs";

const organization = uniqueOrganization("dispatchfault");

/** While armed, refuses every write to the task hub's table (`<hub>Durable`): no orchestration starts. */
const refuseOrchestrationStarts = () => refusingRequests<true>((request) => request.method !== "GET" && `${request.url} ${request.body}`.includes("Durable"));

describe("a system job whose orchestration does not start at its commit", () => {
  let started: Awaited<ReturnType<typeof startProjectHostBehindProxy>>;
  let host: HostUnderTest;
  let broker: ServiceBusBroker;
  const fault = refuseOrchestrationStarts();
  const api = webApi(() => host, organization);

  beforeAll(async () => {
    started = await startProjectHostBehindProxy(organization, fault.decide);
    ({ host, broker } = started);
  }, 60_000);

  afterAll(async () => {
    await started?.stop();
  });

  it("is logged by the Web API's invocation as a warning naming the job, its correlation and the error; the request succeeds and the sweep starts the job", async () => {
    const stepId = await registerQueueStep(api, broker.connectionString);
    fault.arm(true);
    const created = await api("POST", "accounts", { name: "dispatch refused" });
    fault.disarm();
    expect(created.status).toBe(201);
    expect(fault.refused()).toBeGreaterThan(0);
    const jobs = await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${stepId}&$select=asyncoperationid,correlationid,statecode`);
    expect(jobs.json.value).toEqual([expect.objectContaining({ statecode: JobState.Ready })]);
    const [{ asyncoperationid: jobId, correlationid: correlationId }] = jobs.json.value as { asyncoperationid: string; correlationid: string }[];

    const lines = structuredLines(host, "systemJobsNotStarted");
    expect(lines).toEqual([
      {
        level: "warning",
        functionName: "dataverseWebApi",
        invocationId: expect.any(String),
        record: {
          event: "systemJobsNotStarted",
          message: expect.stringContaining("the sweep starts them"),
          organization,
          correlationId,
          jobCount: 1,
          jobIds: jobId,
          errorCode: expect.any(String),
          errorMessage: expect.any(String),
        },
      },
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/AccountKey=(?!\*\*\*)/);

    await runSweep(host);
    const done = await eventually(async () => {
      const job = (await api("GET", `asyncoperations(${jobId})`)).json as Record<string, unknown>;
      return job.statecode === JobState.Completed && job;
    }, 30_000, "the job to complete");
    expect(done).toMatchObject({ statuscode: JobStatus.Succeeded });
  }, 90_000);
});
