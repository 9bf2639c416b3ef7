import { MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from "@opentelemetry/sdk-metrics";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEndpointPoster } from "../../shared/delivery";
import { createJobTelemetry, JOB_METRICS, JobStatus, jobAttemptDependencies, type JobAttemptDependencies } from "../../shared/jobs";
import type { LogEvent } from "../../shared/telemetry/structured-log";
import { uniqueOrganization } from "../support/data-service";
import { accountCreated, startTestHttpServer, type TestHttpServer } from "../support/delivery";
import { attemptUntilDone, commitJob, registerQueueStep } from "../support/system-jobs";
import { pipelineForTests, registerStep } from "../pipeline/support";

/** Reads what the SDK aggregated, when asked (no export interval). */
class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const organization = uniqueOrganization("metrics");
const { api: apiOf, service } = pipelineForTests([organization]);
const api = apiOf(organization);
const webApi = (method: string, path: string, body?: unknown) => api(method, path, { body, headers: { Prefer: "return=representation" } });

// Each test reads its own MeterProvider and log (made fresh before it), so it counts only what it ran.
describe("system job metrics, recorded with the OpenTelemetry SDK on real deliveries", () => {
  let reader: CollectingReader;
  let meterProvider: MeterProvider;
  let logged: LogEvent[];
  let deps: JobAttemptDependencies;
  let server: TestHttpServer;
  let hookStep: string;
  let strictHookStep: string;

  const webhookStep = (retrypolicy: object) =>
    registerQueueStep(webApi, "", { endpoint: { name: "hook", contract: 8, authtype: 4, authvalue: "the-key", url: server.url, retrypolicy: JSON.stringify(retrypolicy) } });

  const runToCompletion = (jobId: string) => attemptUntilDone(deps, { organization, jobId });

  async function collected(name: string): Promise<MetricData | undefined> {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === name);
  }

  /** The sum of a counter's points whose attributes include `attributes`. */
  async function counted(name: string, attributes: Record<string, string>): Promise<number> {
    const points = ((await collected(name))?.dataPoints ?? []) as DataPoint<number>[];
    return points.filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value)).reduce((sum, point) => sum + point.value, 0);
  }

  beforeAll(async () => {
    server = await startTestHttpServer();
    hookStep = await webhookStep({ maxRetries: 3, retryDelayInMs: 1 });
    strictHookStep = await webhookStep({ maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    reader = new CollectingReader();
    meterProvider = new MeterProvider({ readers: [reader] });
    logged = [];
    const telemetry = createJobTelemetry({ meter: meterProvider.getMeter("test"), log: (event) => void logged.push(event) });
    deps = { ...jobAttemptDependencies(service, createEndpointPoster({ observer: (event) => telemetry.post(event) }), telemetry), random: () => 0 };
  });
  afterEach(async () => {
    await deps.poster.close();
    await meterProvider.shutdown();
  });

  /** A job on `step` run to completion, the endpoint first answering `statuses` (then 200). */
  async function runJob(step: string, ...statuses: number[]): Promise<void> {
    server.statuses.push(...statuses);
    await runToCompletion(await commitJob(organization, step, accountCreated()));
  }

  /** The jobs the last two tests count: one that succeeds, one that waits once then succeeds, one that fails, one more that succeeds. */
  async function runMixedJobs(): Promise<void> {
    await runJob(hookStep);
    await runJob(hookStep, 503);
    await runJob(strictHookStep, 500);
    await runJob(hookStep);
  }

  const webhook = { organization, contract: "Webhook" };

  it("counts a post and records the delivery latency in ms, from the commit to the millisecond", async () => {
    const beforeCommit = Date.now();
    const jobId = await commitJob(organization, hookStep, accountCreated());
    expect(await runToCompletion(jobId)).toEqual([{ kind: "completed", statuscode: JobStatus.Succeeded }]);
    const window = Date.now() - beforeCommit;
    // createdon has whole seconds: a latency taken from it would be off by up to a second.
    const latencyInMs = logged.find((event) => event.fields.jobId === jobId)?.fields.latencyInMs;
    expect(latencyInMs).toBeGreaterThanOrEqual(0);
    expect(latencyInMs).toBeLessThanOrEqual(window);
    expect(await counted(JOB_METRICS.posts, { ...webhook, outcome: "succeeded" })).toBe(1);
    const latency = await collected(JOB_METRICS.deliveryLatency);
    expect(latency?.descriptor).toMatchObject({ unit: "ms", type: "HISTOGRAM" });
    const points = (latency?.dataPoints ?? []) as DataPoint<Histogram>[];
    expect(points.map((point) => ({ attributes: point.attributes, count: point.value.count, sum: point.value.sum }))).toEqual([{ attributes: { ...webhook, outcome: "succeeded" }, count: 1, sum: latencyInMs }]);
  });

  it("counts the failed post and the retry of a job that waits, then its successful post", async () => {
    server.statuses.push(503);
    const jobId = await commitJob(organization, hookStep, accountCreated());
    expect((await runToCompletion(jobId)).map((result) => result.kind)).toEqual(["retry", "completed"]);
    expect(await counted(JOB_METRICS.retries, { ...webhook, outcome: "waiting" })).toBe(1);
    expect(await counted(JOB_METRICS.posts, { ...webhook, outcome: "failed" })).toBe(1);
    expect(await counted(JOB_METRICS.failures, { ...webhook, outcome: "failed" })).toBe(1);
    expect(await counted(JOB_METRICS.posts, { ...webhook, outcome: "succeeded" })).toBe(1);
  });

  it("counts the failure of a job that fails, with its error code", async () => {
    server.statuses.push(500);
    const jobId = await commitJob(organization, strictHookStep, accountCreated());
    expect(await runToCompletion(jobId)).toEqual([{ kind: "completed", statuscode: JobStatus.Failed }]);
    const failures = ((await collected(JOB_METRICS.failures))?.dataPoints ?? []) as DataPoint<number>[];
    expect(failures.map((point) => point.attributes)).toEqual([expect.objectContaining({ ...webhook, outcome: "failed", errorCode: expect.any(String) })]);
    expect(await counted(JOB_METRICS.failures, webhook)).toBe(1);
    // No retry policy: the failed post is not retried.
    expect(await counted(JOB_METRICS.retries, webhook)).toBe(0);
  });

  it("counts a truncated post", async () => {
    const jobId = await commitJob(organization, hookStep, accountCreated({ padding: 300 * 1024 }));
    expect(await runToCompletion(jobId)).toEqual([{ kind: "completed", statuscode: JobStatus.Succeeded }]);
    expect(await counted(JOB_METRICS.truncations, { ...webhook, outcome: "succeeded" })).toBe(1);
    // A job that waits once: every counter has a point, so each shows its descriptor.
    await runJob(hookStep, 503);
    expect(await counted(JOB_METRICS.truncations, webhook)).toBe(1);
    const counters = await Promise.all([JOB_METRICS.posts, JOB_METRICS.failures, JOB_METRICS.retries, JOB_METRICS.truncations].map(collected));
    expect(counters.map((metric) => metric?.descriptor)).toEqual([
      expect.objectContaining({ name: JOB_METRICS.posts, unit: "{post}", type: "COUNTER" }),
      expect.objectContaining({ name: JOB_METRICS.failures, unit: "{post}", type: "COUNTER" }),
      expect.objectContaining({ name: JOB_METRICS.retries, unit: "{attempt}", type: "COUNTER" }),
      expect.objectContaining({ name: JOB_METRICS.truncations, unit: "{post}", type: "COUNTER" }),
    ]);
  });

  it("counts a job that fails without any post (an asynchronous plug-in that throws) as a failed attempt, with its error code, and logs it as an error", async () => {
    const postsBefore = await counted(JOB_METRICS.posts, { organization });
    const stepId = await registerStep(api, { message: "Create", table: "contact", stage: 40, mode: 1, script: { label: "failing-async", throw: "invalid" } });
    await api("POST", "contacts", { body: { lastname: "Fails" } });
    const jobs = await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${stepId}&$select=asyncoperationid`);
    const jobId: string = jobs.json.value[0].asyncoperationid;
    expect(await runToCompletion(jobId)).toEqual([{ kind: "completed", statuscode: JobStatus.Failed }]);
    const attempts = ((await collected(JOB_METRICS.attempts))?.dataPoints ?? []) as DataPoint<number>[];
    expect(attempts.filter((point) => point.attributes.contract === "PlugIn").map((point) => [point.attributes, point.value])).toEqual([
      [{ organization, contract: "PlugIn", outcome: "failed", errorCode: "PluginCancelled" }, 1],
    ]);
    expect(await counted(JOB_METRICS.posts, { organization })).toBe(postsBefore);
    expect(logged.filter((event) => event.fields.jobId === jobId)).toEqual([
      expect.objectContaining({ event: "systemJobAttempt", severity: "error", fields: expect.objectContaining({ stepId, contract: "PlugIn", outcome: "failed", errorCode: "PluginCancelled" }) }),
    ]);
  });

  it("counts every attempt by outcome, and records each post's duration by contract and outcome", async () => {
    await runMixedJobs();
    expect(await counted(JOB_METRICS.attempts, { ...webhook, outcome: "succeeded" })).toBe(3);
    expect(await counted(JOB_METRICS.attempts, { ...webhook, outcome: "waiting" })).toBe(1);
    expect(await counted(JOB_METRICS.attempts, { ...webhook, outcome: "failed" })).toBe(1);
    const durations = ((await collected(JOB_METRICS.postDuration))?.dataPoints ?? []) as DataPoint<Histogram>[];
    expect((await collected(JOB_METRICS.postDuration))?.descriptor).toMatchObject({ unit: "ms", type: "HISTOGRAM" });
    expect(durations.map((point) => [point.attributes, point.value.count])).toEqual([
      [{ ...webhook, outcome: "succeeded" }, 3],
      [{ ...webhook, outcome: "failed" }, 2],
    ]);
  });

  it("logs the attempts by severity (waiting a warning, failed an error) with the contract's name, without the endpoint's secret (write-only authvalue)", async () => {
    await runMixedJobs();
    const webhookAttempts = logged.filter((event) => event.fields.contract === "Webhook");
    expect(new Set(webhookAttempts.map((event) => `${String(event.fields.outcome)} ${event.severity}`))).toEqual(new Set(["succeeded information", "waiting warning", "failed error"]));
    expect(JSON.stringify(logged)).not.toContain("the-key");
  });
});
