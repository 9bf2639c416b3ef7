import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceBusBroker, type ServiceBusBroker } from "../../local/servicebus/broker";
import { startTableProxy, type ProxiedRequest, type ProxyAction, type TableProxy } from "../../local/storage/table-proxy";
import { JobState, JobStatus } from "../../shared/jobs";
import { eventually, type HostUnderTest } from "../host/run-host";
import { uniqueOrganization } from "../support/data-service";
import { registerQueueStep, runSweep, startProjectHost, structuredLines, webApi } from "../support/system-jobs";

const organization = uniqueOrganization("dispatchfault");

/** While armed, refuses (503, nothing written) every write to the task hub's table (`<hub>Durable`): no orchestration starts. */
function refuseOrchestrationStarts() {
  let armed = false;
  let refused = 0;
  const decide = (request: ProxiedRequest): ProxyAction => {
    if (!armed || request.method === "GET" || !`${request.url} ${request.body}`.includes("Durable")) return "forward";
    refused++;
    return "refuse";
  };
  return { decide, arm: () => void (armed = true), disarm: () => void (armed = false), refused: () => refused };
}

describe("a system job whose orchestration does not start at its commit", () => {
  let broker: ServiceBusBroker;
  let proxy: TableProxy;
  let host: HostUnderTest;
  const fault = refuseOrchestrationStarts();
  const api = webApi(() => host, organization);

  beforeAll(async () => {
    broker = await startServiceBusBroker({ config: join(__dirname, "../../local/servicebus/config.json") });
    proxy = await startTableProxy(process.env.AzureWebJobsStorage ?? "", fault.decide);
    host = await startProjectHost(organization, broker.connectionString, { env: { AzureWebJobsStorage: proxy.connectionString } });
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    await proxy?.close();
    await broker?.stop();
  });

  it("is logged by the Web API's invocation as a warning naming the job, its correlation and the error; the request succeeds and the sweep starts the job", async () => {
    const stepId = await registerQueueStep(api, broker.connectionString);
    fault.arm();
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
