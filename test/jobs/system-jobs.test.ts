import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceBusBroker, type ServiceBusBroker } from "../../local/servicebus/broker";
import { JobState, JobStatus } from "../../shared/jobs";
import { eventually, type HostUnderTest } from "../host/run-host";
import { accountCreated } from "../support/delivery";
import { uniqueOrganization } from "../support/data-service";
import { attemptLines, commitJob, orchestrationStatus, receiptsFor, sasEndpointColumns, startJobOrchestration, startProjectHost, webApi } from "../support/system-jobs";

const organization = uniqueOrganization("jobs");

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

  beforeAll(async () => {
    broker = await startServiceBusBroker({ config: join(__dirname, "../../local/servicebus/config.json") });
    host = await startProjectHost(organization, broker.connectionString);
    const endpoint = await api("POST", "serviceendpoints", {
      name: "events queue",
      contract: 2,
      messageformat: 2,
      userclaim: 1,
      path: "dataverse-events",
      ...sasEndpointColumns(broker.connectionString),
    });
    expect(endpoint.status, JSON.stringify(endpoint.json)).toBe(201);
    const step = await api("POST", "sdkmessageprocessingsteps", {
      name: "account Create → queue",
      stage: 40,
      mode: 1,
      rank: 1,
      "eventhandler@odata.bind": `/serviceendpoints(${endpoint.json.serviceendpointid})`,
    });
    expect(step.status, JSON.stringify(step.json)).toBe(201);
    stepId = step.json.sdkmessageprocessingstepid;
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    await broker?.stop();
  });

  it("posts a committed job's context: In Progress, then Succeeded, received once by the listener", async () => {
    const jobId = await commitJob(organization, stepId, accountCreated());
    await startJobOrchestration(host, organization, jobId);
    const [row] = await completed([jobId]);
    expect(row).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Succeeded, retrycount: 0 });
    expect(row.startedon).toEqual(expect.any(String));
    expect(row.completedon).toEqual(expect.any(String));
    const receipts = await eventually(async () => (await receiptsFor([jobId])).length === 1 && receiptsFor([jobId]), 20_000, "the receipt");
    expect(receipts[0]).toMatchObject({ operationId: jobId, organizationName: organization, mode: 1, stage: 40 });
    expect(await orchestrationStatus(host, jobId)).toBe("Completed");
    expect(attemptLines(host, jobId)).toEqual([expect.objectContaining({ organization, jobId, stepId, attempt: 1, outcome: "succeeded" })]);
  });
});
