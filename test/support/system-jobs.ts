import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { startServiceBusBroker } from "../../local/servicebus/broker";
import { parseConfig, type BrokerConfig } from "../../local/servicebus/config";
import { startTableProxy, type ProxiedRequest, type ProxyAction } from "../../local/storage/table-proxy";
import { azureResources } from "../../shared/config/azure-resources";
import { tableClientFor } from "../../shared/config/table-client";
import { RecordStore } from "../../shared/dataservice";
import { createRecordsTableClient } from "../../shared/dataservice/store/table-client";
import {
  ASYNC_OPERATION_TABLE,
  JobState,
  JobStatus,
  runJobAttempt,
  SYSTEM_EVENT_OPERATION_TYPE,
  SYSTEM_JOB_ORCHESTRATION,
  type AttemptResult,
  type JobAttemptDependencies,
} from "../../shared/jobs";
import { ReceiptStore } from "../../shared/listener/receipts";
import type { RemoteExecutionContext } from "../../shared/model";
import { JobContextStore } from "../../shared/pipeline/job-context-store";
import { instanceStatus, SAMPLE_KEYS, startSampleHost, type HostRunOptions, type HostUnderTest } from "../host/run-host";

export const PROJECT_APP = resolve(__dirname, "../..");

/** The project's app in the local host (child process), for one organization, against the given broker. */
export function startProjectHost(organization: string, serviceBusConnection: string, options: HostRunOptions = {}): Promise<HostUnderTest> {
  return startSampleHost({
    timeScale: 200,
    ...options,
    app: PROJECT_APP,
    // The sweep looks at every open job at once (its 60 s grace would outlast a time-scaled test); restart.test.ts keeps the default.
    env: { Organizations: organization, AllowAnonymousAsAdmin: "true", ServiceBusConnection: serviceBusConnection, SystemJobSweepGraceSeconds: "0", ...options.env },
  });
}

/** A Web API caller on a running host (with `headers` added to every request, e.g. a User-Agent). */
export function webApi(host: () => HostUnderTest, organization: string, headers: Record<string, string> = {}) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }> => {
    const response = await fetch(`${host().baseUrl}/${organization}/api/data/v9.2/${path}`, {
      method,
      headers: { Accept: "application/json", "Content-Type": "application/json", Prefer: "return=representation", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
}

/**
 * A queue endpoint on `dataverse-events` (or the given endpoint columns) and a post-operation step on
 * `message` (Create) of `table` (account) for it, asynchronous unless `mode` 0; returns the step id.
 */
export async function registerQueueStep(
  api: ReturnType<typeof webApi>,
  serviceBusConnection: string,
  step: { table?: string; mode?: number; message?: string; endpoint?: Record<string, unknown> } = {},
): Promise<string> {
  const table = step.table ?? "account";
  const endpoint = await api("POST", "serviceendpoints", {
    name: "events queue",
    contract: 2,
    messageformat: 2,
    userclaim: 1,
    path: "dataverse-events",
    ...sasEndpointColumns(serviceBusConnection),
    ...step.endpoint,
  });
  if (endpoint.status !== 201) throw new Error(`serviceendpoint: ${endpoint.status} ${JSON.stringify(endpoint.json)}`);
  const message = (await api("GET", `sdkmessages?$filter=name eq '${step.message ?? "Create"}'&$select=sdkmessageid`)).json.value[0].sdkmessageid;
  const filter = await api("POST", "sdkmessagefilters", { primaryobjecttypecode: table, "sdkmessageid@odata.bind": `/sdkmessages(${message})` });
  const registered = await api("POST", "sdkmessageprocessingsteps", {
    name: `${table} ${step.message ?? "Create"} → ${String(step.endpoint?.path ?? "dataverse-events")}`,
    stage: 40,
    mode: step.mode ?? 1,
    rank: 1,
    "sdkmessageid@odata.bind": `/sdkmessages(${message})`,
    "sdkmessagefilterid@odata.bind": `/sdkmessagefilters(${filter.json.sdkmessagefilterid})`,
    "eventhandler_serviceendpoint@odata.bind": `/serviceendpoints(${endpoint.json.serviceendpointid})`,
  });
  if (registered.status !== 201) throw new Error(`step: ${registered.status} ${JSON.stringify(registered.json)}`);
  return registered.json.sdkmessageprocessingstepid as string;
}

/** Parts of the broker's connection string a SAS-key service endpoint registration needs. */
export function sasEndpointColumns(connectionString: string) {
  const part = (name: string) => new RegExp(`${name}=([^;]+)`).exec(connectionString)?.[1] ?? "";
  return { authtype: 2, namespaceaddress: part("Endpoint"), saskeyname: part("SharedAccessKeyName"), saskey: part("SharedAccessKey") };
}

/**
 * What the pipeline commits for an asynchronous step (issue 6's contract): one asyncoperation row, Ready,
 * and the context it delivers, in one commit. The context's OperationId is set to the job's id.
 */
export async function commitJob(organization: string, stepId: string, context: RemoteExecutionContext): Promise<string> {
  const store = new RecordStore(createRecordsTableClient());
  const jobId = randomUUID();
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const uow = store.beginUnitOfWork(organization);
  uow.create(ASYNC_OPERATION_TABLE, jobId, {
    asyncoperationid: jobId,
    name: `${context.messageName} of ${context.primaryEntityName}`,
    operationtype: SYSTEM_EVENT_OPERATION_TYPE,
    statecode: JobState.Ready,
    statuscode: JobStatus.WaitingForResources,
    retrycount: 0,
    depth: context.depth,
    correlationid: context.correlationId,
    owningextensionid: { id: stepId, logicalName: "sdkmessageprocessingstep" },
    messagename: context.messageName,
    primaryentitytype: context.primaryEntityName,
    createdon: now,
    modifiedon: now,
  });
  new JobContextStore(store).stage(uow, jobId, { ...context, operationId: jobId, organizationName: organization });
  await uow.commit();
  return jobId;
}

/** Starts a job's orchestration as the dispatcher does (instance id = job id), through the management API. */
export async function startJobOrchestration(host: HostUnderTest, organization: string, jobId: string): Promise<void> {
  const response = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/orchestrators/${SYSTEM_JOB_ORCHESTRATION}/${jobId}?code=${SAMPLE_KEYS.durable}`, {
    method: "POST",
    body: JSON.stringify({ organization, jobId }),
  });
  if (response.status !== 202) throw new Error(`start ${jobId}: ${response.status} ${await response.text()}`);
}

export async function orchestrationStatus(host: HostUnderTest, jobId: string): Promise<string | undefined> {
  return (await instanceStatus(host, jobId))?.runtimeStatus;
}

/** The custom status a job's orchestration set ("paused" while it waits for a resume). */
export async function orchestrationCustomStatus(host: HostUnderTest, jobId: string): Promise<unknown> {
  return (await instanceStatus(host, jobId))?.customStatus;
}

/** Runs the system-job sweep now (the timer function, through the host's admin API). */
export async function runSweep(host: HostUnderTest): Promise<void> {
  const response = await fetch(`${host.baseUrl}/admin/functions/systemJobSweep`, {
    method: "POST",
    headers: { "x-functions-key": SAMPLE_KEYS.master, "content-type": "application/json" },
    body: JSON.stringify({ input: "" }),
  });
  if (response.status !== 202) throw new Error(`sweep: ${response.status} ${await response.text()}`);
}

/** What the sample listener recorded from the events queue. */
export function listReceipts() {
  return new ReceiptStore(tableClientFor(azureResources.tables.listenerReceipts)).list({ source: azureResources.serviceBus.queues.events.name });
}

/** What the sample listener recorded for these operation ids (one row per distinct OperationId). */
export async function receiptsFor(operationIds: string[]) {
  return (await listReceipts()).filter((receipt) => operationIds.includes(receipt.operationId));
}

/** A structured log line as the local host printed it: the level and function of the invocation that wrote it, and its JSON. */
export interface HostLogLine {
  level: string;
  functionName: string;
  invocationId: string;
  record: Record<string, unknown>;
}

/** `[time] level functionName (invocationId): {"event":…}`: a function's structured line (shared/telemetry/structured-log.ts). */
const STRUCTURED_LINE = /^\[[^\]]+\] (\w+)\s+(\S+) \(([^)]+)\): (\{"event":.*\})$/;

/** The structured lines of one event a host logged. */
export function structuredLines(host: HostUnderTest | string[], event: string): HostLogLine[] {
  const output = Array.isArray(host) ? host : host.output;
  return output.flatMap((line) => {
    const match = STRUCTURED_LINE.exec(line);
    if (!match) return [];
    const record = JSON.parse(match[4]) as Record<string, unknown>;
    return record.event === event ? [{ level: match[1], functionName: match[2], invocationId: match[3], record }] : [];
  });
}

/** The structured attempt lines a host logged for a job. */
export function attemptLines(host: HostUnderTest | string[], jobId: string): Record<string, unknown>[] {
  return structuredLines(host, "systemJobAttempt").map((line) => line.record).filter((record) => record.jobId === jobId);
}

/** The project's broker configuration plus a queue no listener reads (default `two-way-requests`). */
export function brokerConfigWithUnreadQueue(name = "two-way-requests"): BrokerConfig {
  const raw = JSON.parse(readFileSync(resolve(__dirname, "../../local/servicebus/config.json"), "utf8"));
  const queues = raw.UserConfig.Namespaces[0].Queues;
  queues.push({ ...queues[0], Name: name });
  return parseConfig(raw);
}

/** What a job's orchestration does, without its waits: attempt until the job completes or stops. */
export async function attemptUntilDone(deps: JobAttemptDependencies, reference: { organization: string; jobId: string }): Promise<AttemptResult[]> {
  const results: AttemptResult[] = [];
  for (;;) {
    const result = await runJobAttempt(deps, reference);
    results.push(result);
    if (result.kind !== "retry") return results;
  }
}

/**
 * The project app in a host whose Table Storage requests pass through a proxy that `decide` may make refuse
 * them, with a broker of the project's entities; `stop` stops all three.
 */
export async function startProjectHostBehindProxy(organization: string, decide: (request: ProxiedRequest) => ProxyAction, options: HostRunOptions = {}) {
  const broker = await startServiceBusBroker({ config: resolve(__dirname, "../../local/servicebus/config.json") });
  const proxy = await startTableProxy(process.env.AzureWebJobsStorage ?? "", decide);
  const host = await startProjectHost(organization, broker.connectionString, { ...options, env: { ...options.env, AzureWebJobsStorage: proxy.connectionString } });
  const stop = async () => {
    await host.stop();
    await proxy.close();
    await broker.stop();
  };
  return { broker, host, stop };
}
