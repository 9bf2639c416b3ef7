import { SeverityNumber } from "@opentelemetry/api-logs";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDataServiceSettings } from "../../shared/dataservice";
import { createAppServices, JOB_METRICS, JobStatus } from "../../shared/jobs";
import { uniqueOrganization } from "../support/data-service";
import { startTestHttpServer, type TestHttpServer } from "../support/delivery";
import { registerQueueStep } from "../support/system-jobs";
import { seen } from "../pipeline/scripted-plugin";
import { registerStep, testPlugins, webApiClient } from "../pipeline/support";

/** Reads what the SDK aggregated, when asked (no export interval). */
class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const organization = uniqueOrganization("app");
const env = { AzureWebJobsStorage: process.env.AzureWebJobsStorage, Organizations: organization, AllowAnonymousAsAdmin: "true" };
const services = createAppServices(env, { plugins: testPlugins(), settings: readDataServiceSettings(env) });
const api = webApiClient(services.pipeline)(organization);

async function jobOf(stepId: string): Promise<string> {
  const jobs = await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${stepId}`);
  expect(jobs.json.value).toHaveLength(1);
  return jobs.json.value[0].asyncoperationid;
}

describe("the app's services (one per worker)", () => {
  afterAll(() => services.close());

  it("run a job for an asynchronous step the Web API registered after the job runtime had loaded its registrations", async () => {
    const first = await registerStep(api, { message: "Create", table: "contact", stage: 40, mode: 1, script: { label: "first-async" } });
    await api("POST", "contacts", { body: { lastname: "First" } });
    expect(await services.jobs.attempt({ organization, jobId: await jobOf(first) })).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });

    const second = await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, script: { label: "second-async" } });
    await api("POST", "accounts", { body: { name: "Second" } });
    expect(await services.jobs.attempt({ organization, jobId: await jobOf(second) })).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });
    expect((seen.get(organization) ?? []).map((entry) => entry.label)).toEqual(["first-async", "second-async"]);
  });
});

describe("the app's services, with in-memory OpenTelemetry providers", () => {
  const organization = uniqueOrganization("apptel");
  const env = { AzureWebJobsStorage: process.env.AzureWebJobsStorage, Organizations: organization, AllowAnonymousAsAdmin: "true" };
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(exporter)] });
  const services = createAppServices(env, { plugins: testPlugins(), settings: readDataServiceSettings(env), telemetry: { meterProvider, loggerProvider } });
  const api = webApiClient(services.pipeline)(organization);
  let hook: TestHttpServer;
  let endpointId: string;

  beforeAll(async () => {
    hook = await startTestHttpServer();
    await registerQueueStep((method, path, body) => api(method, path, { body, headers: { Prefer: "return=representation" } }), "", {
      table: "contact",
      mode: 0,
      endpoint: { name: "sync telemetry hook", contract: 8, authtype: 4, authvalue: "the-hook-key", url: hook.url },
    });
    endpointId = (await api("GET", "serviceendpoints?$filter=name eq 'sync telemetry hook'&$select=serviceendpointid")).json.value[0].serviceendpointid;
  });
  afterAll(async () => {
    await services.close();
    await hook.close();
    await Promise.all([meterProvider.shutdown(), loggerProvider.shutdown()]);
  });

  const postRecords = () => exporter.getFinishedLogRecords().filter((record) => record.attributes.event === "serviceEndpointPost");

  async function postPoints(name: string): Promise<DataPoint<unknown>[]> {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === name)?.dataPoints ?? [];
  }

  it("log a synchronous webhook post as a record with its ids as attributes, and count it and its duration", async () => {
    expect((await api("POST", "contacts", { body: { lastname: "Posted" } })).status).toBe(204);
    expect(hook.requests).toHaveLength(1);
    const records = postRecords();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ severityText: "Information", severityNumber: SeverityNumber.INFO });
    expect(records[0].body).toEqual(expect.stringContaining(endpointId));
    expect(records[0].attributes).toEqual({
      event: "serviceEndpointPost",
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      organization,
      operationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      serviceEndpointId: endpointId,
      contract: "Webhook",
      outcome: "succeeded",
      truncated: false,
      durationInMs: expect.any(Number),
    });
    const attributes = { organization, contract: "Webhook", outcome: "succeeded" };
    expect((await postPoints(JOB_METRICS.posts)).map((point) => [point.attributes, point.value])).toEqual([[attributes, 1]]);
    const durations = (await postPoints(JOB_METRICS.postDuration)) as DataPoint<Histogram>[];
    expect(durations.map((point) => [point.attributes, point.value.count])).toEqual([[attributes, 1]]);
  });

  it("log a failed synchronous post as an error with its error code, never the endpoint's key", async () => {
    hook.statuses.push(400);
    expect((await api("POST", "contacts", { body: { lastname: "Refused" } })).status).toBeGreaterThanOrEqual(400);
    const failed = postRecords().filter((record) => record.attributes.outcome === "failed");
    expect(failed).toEqual([expect.objectContaining({ severityText: "Error", severityNumber: SeverityNumber.ERROR, attributes: expect.objectContaining({ serviceEndpointId: endpointId, errorCode: "ExternalRejected", retryable: false }) })]);
    const failures = await postPoints(JOB_METRICS.failures);
    expect(failures.map((point) => [point.attributes, point.value])).toEqual([[{ organization, contract: "Webhook", outcome: "failed", errorCode: "ExternalRejected" }, 1]]);
    expect(JSON.stringify(exporter.getFinishedLogRecords().map((record) => [record.body, record.attributes]))).not.toContain("the-hook-key");
  });
});
