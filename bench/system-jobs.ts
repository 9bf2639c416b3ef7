import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ServiceBusClient } from "@azure/service-bus";
import { startHost } from "../local/host/host";
import { defaultExtensions } from "../local/host/extensions";
import type { HostLogger } from "../local/host/logger";
import { startServiceBusBroker } from "../local/servicebus/broker";
import { startAzurite } from "../local/storage/azurite";
import { azureResources } from "../shared/config/azure-resources";
import { tableClientFor } from "../shared/config/table-client";
import { serviceBusMessageFor, validateServiceEndpoint } from "../shared/delivery";
import { ReceiptStore } from "../shared/listener/receipts";
import { createContext, entity, ExecutionMode, Stage } from "../shared/model";
import { SYSTEM_JOB_ATTEMPT_ACTIVITY, SYSTEM_JOB_ORCHESTRATION } from "../shared/jobs";
import { availableParallelism } from "node:os";
import { processCpuMs } from "./process-cpu";
import { countsSince, startCountingProxy, type RequestCounts } from "./counting-proxy";
import { ratio, type BenchSuite } from "./suite";

const ORGANIZATION = "bench";
const JOBS = Number(process.env.BENCH_JOBS ?? 1000);
const CONCURRENCY = 16;

async function inParallel<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await run(items[next++]);
  }));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Waits until the listener has recorded every id (read straight from Azurite, not counted); returns receivedOn per id. */
async function receiptsOf(receipts: ReceiptStore, ids: Set<string>, key: "operationId" | "primaryEntityId"): Promise<Map<string, number>> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const found = new Map((await receipts.list({ source: azureResources.serviceBus.queues.events.name })).filter((r) => ids.has(r[key])).map((r) => [r[key], new Date(r.receivedOn).getTime()]));
    if (found.size >= ids.size) return found;
    if (Date.now() > deadline) throw new Error(`only ${found.size} of ${ids.size} received`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

/** The Durable engine's table: `<hubName>Durable` (host.json's extensions.durableTask.hubName). */
const DURABLE_TABLE = `${(JSON.parse(readFileSync(resolve(__dirname, "../../host.json"), "utf8")) as { extensions: { durableTask: { hubName: string } } }).extensions.durableTask.hubName}Durable`;

/** What one delivered job costs in Table Storage requests, by part and by table and method. */
interface RoundTripsPerJob {
  total: number;
  /** The Create's commit and the job's own rows (asyncoperation, stored context, step and endpoint reads) in `Records`. */
  records: number;
  durable: number;
  receipts: number;
  other: number;
  /** e.g. `Records GET 1.0, Records PUT 1.0`. */
  detail: string;
}

function perJob(counts: RequestCounts): RoundTripsPerJob {
  const sum = (predicate: (table: string) => boolean) => [...counts].filter(([key]) => predicate(key.split(" ")[0])).reduce((total, [, n]) => total + n, 0) / JOBS;
  const parts = [azureResources.tables.records, DURABLE_TABLE, azureResources.tables.listenerReceipts];
  return {
    total: sum(() => true),
    records: sum((table) => table === azureResources.tables.records),
    durable: sum((table) => table === DURABLE_TABLE),
    receipts: sum((table) => table === azureResources.tables.listenerReceipts),
    other: sum((table) => !parts.includes(table)),
    detail: [...counts].filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key} ${(n / JOBS).toFixed(2)}`).join(", "),
  };
}

const cpuMsPerJob = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000 / JOBS;

/** Azurite's CPU per job since `before` (ms of /proc time), NaN where it cannot be read. */
const azuriteCpuMsPerJob = (pid: number | undefined, before: number | undefined) => ((processCpuMs(pid) ?? NaN) - (before ?? NaN)) / JOBS;

/** Jobs a second the machine's cores could carry at this CPU per job, if every core were busy with nothing else. */
const ceiling = (cpuMsPerJob: number) => (availableParallelism() * 1000) / cpuMsPerJob;

function summary(latencies: number[], seconds: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/**
 * System jobs end to end in the local runtime: Creates with one asynchronous queue step (commit → job →
 * orchestration → post → sample listener), beside writing the same row and sending the same message with the SDKs.
 */
export const systemJobsSuite: BenchSuite = {
  name: "system-jobs",
  async run(log) {
    const azurite = await startAzurite();
    const proxy = await startCountingProxy(azurite.connectionString);
    const broker = await startServiceBusBroker({ config: join(__dirname, "../../local/servicebus/config.json") });
    Object.assign(process.env, {
      AzureWebJobsStorage: proxy.connectionString,
      ServiceBusConnection: broker.connectionString,
      Organizations: ORGANIZATION,
      AllowAnonymousAsAdmin: "true",
    });
    const episodes = new Map<string, number>();
    // The functions' log lines (the jobs' structured lines, one per attempt) go to the host's logger, unwritten.
    const logger: HostLogger = { functionLog: () => undefined, host: (level, message) => void (level === "error" && process.stderr.write(`${message}\n`)), invocation: (name) => void episodes.set(name, (episodes.get(name) ?? 0) + 1) };
    const host = await startHost({ appDir: resolve(__dirname, "../.."), port: 0, logger }, defaultExtensions());
    const api = `${host.baseUrl}/${ORGANIZATION}/api/data/v9.2/`;
    const post = async (path: string, body: unknown) => {
      const response = await fetch(api + path, { method: "POST", headers: { "Content-Type": "application/json", Prefer: "return=representation" }, body: JSON.stringify(body) });
      if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, string>;
    };
    try {
      const sas = (name: string) => new RegExp(`${name}=([^;]+)`).exec(broker.connectionString)?.[1] ?? "";
      const endpointColumns = { name: "bench", contract: 2, messageformat: 2, userclaim: 1, path: "dataverse-events", authtype: 2, namespaceaddress: sas("Endpoint"), saskeyname: sas("SharedAccessKeyName"), saskey: sas("SharedAccessKey") };
      const endpoint = await post("serviceendpoints", endpointColumns);
      const message = ((await (await fetch(`${api}sdkmessages?$filter=name eq 'Create'&$select=sdkmessageid`)).json()) as { value: { sdkmessageid: string }[] }).value[0].sdkmessageid;
      const filter = await post("sdkmessagefilters", { primaryobjecttypecode: "account", "sdkmessageid@odata.bind": `/sdkmessages(${message})` });
      await post("sdkmessageprocessingsteps", {
        name: "bench", stage: 40, mode: 1, rank: 1,
        "sdkmessageid@odata.bind": `/sdkmessages(${message})`,
        "sdkmessagefilterid@odata.bind": `/sdkmessagefilters(${filter.sdkmessagefilterid})`,
        "eventhandler_serviceendpoint@odata.bind": `/serviceendpoints(${endpoint.serviceendpointid})`,
      });
      await post("accounts", { name: "warm-up" });
      await new Promise((done) => setTimeout(done, 2000));

      // The system: Creates through the Web API.
      episodes.clear();
      const receipts = new ReceiptStore(tableClientFor(azureResources.tables.listenerReceipts, { [azureResources.connections.storage]: azurite.connectionString }));
      const countsBefore = await proxy.counts();
      const committed = new Map<string, number>();
      const systemCpu = process.cpuUsage();
      const systemAzuriteCpu = processCpuMs(azurite.pid);
      const started = Date.now();
      await inParallel(Array.from({ length: JOBS }, (_, i) => i), async (i) => {
        const account = await post("accounts", { name: `bench ${i}` });
        committed.set(account.accountid, Date.now());
      });
      const received = await receiptsOf(receipts, new Set(committed.keys()), "primaryEntityId");
      const systemCpuMs = cpuMsPerJob(process.cpuUsage(systemCpu));
      const systemAzuriteCpuMs = azuriteCpuMsPerJob(azurite.pid, systemAzuriteCpu);
      const systemSeconds = (Math.max(...received.values()) - started) / 1000;
      const system = summary([...committed].map(([id, at]) => (received.get(id) ?? at) - at), systemSeconds);
      const roundTrips = perJob(countsSince(countsBefore, await proxy.counts()));
      const orchestrationEpisodes = (episodes.get(SYSTEM_JOB_ORCHESTRATION) ?? 0) / JOBS;
      const activities = (episodes.get(SYSTEM_JOB_ATTEMPT_ACTIVITY) ?? 0) / JOBS;
      log(`system: ${JOBS} jobs in ${systemSeconds.toFixed(1)} s, p50 ${system.p50} ms, p99 ${system.p99} ms`);

      // The baseline: the same row and the same message, with the SDKs directly.
      const rows = tableClientFor("BenchBaseline");
      await rows.createTable();
      const client = new ServiceBusClient(broker.connectionString);
      const sender = client.createSender("dataverse-events");
      const target = validateServiceEndpoint(endpointColumns);
      const sent = new Map<string, number>();
      const baselineCpu = process.cpuUsage();
      const baselineAzuriteCpu = processCpuMs(azurite.pid);
      const baselineStarted = Date.now();
      await inParallel(Array.from({ length: JOBS }, (_, i) => i), async (i) => {
        const operationId = randomUUID();
        const accountId = randomUUID();
        await rows.createEntity({ partitionKey: ORGANIZATION, rowKey: operationId, name: `bench ${i}`, statecode: 0, statuscode: 0 });
        const context = createContext({
          messageName: "Create", primaryEntityName: "account", primaryEntityId: accountId, stage: Stage.PostOperation, mode: ExecutionMode.Asynchronous,
          organizationName: ORGANIZATION, operationId, inputParameters: { Target: entity("account", accountId, { name: `bench ${i}` }) },
        });
        await sender.sendMessages(serviceBusMessageFor(context, target).message);
        sent.set(operationId, Date.now());
      });
      const baselineReceived = await receiptsOf(receipts, new Set(sent.keys()), "operationId");
      const baselineCpuMs = cpuMsPerJob(process.cpuUsage(baselineCpu));
      const baselineAzuriteCpuMs = azuriteCpuMsPerJob(azurite.pid, baselineAzuriteCpu);
      const baselineSeconds = (Math.max(...baselineReceived.values()) - baselineStarted) / 1000;
      const baseline = summary([...sent].map(([id, at]) => (baselineReceived.get(id) ?? at) - at), baselineSeconds);
      await client.close();
      log(`baseline: ${JOBS} in ${baselineSeconds.toFixed(1)} s`);

      return [
        `${JOBS} Creates of account with one asynchronous queue step, ${CONCURRENCY} at a time, through the local host (Web API → pipeline commit → orchestration → post → sample listener), in-process with Azurite and the local broker.`,
        "",
        "| measure | system jobs | baseline (row + message with the SDKs) | ratio |",
        "|---|---|---|---|",
        `| jobs/s, first request to last receipt | ${system.perSecond.toFixed(1)} | ${baseline.perSecond.toFixed(1)} | ${ratio(system.perSecond, baseline.perSecond)} |`,
        `| p50 commit → listener receipt (ms) | ${system.p50} | ${baseline.p50} | ${ratio(system.p50, baseline.p50)} |`,
        `| p99 commit → listener receipt (ms) | ${system.p99} | ${baseline.p99} | ${ratio(system.p99, baseline.p99)} |`,
        `| CPU of this process per job (ms): host, broker, listener and client; Azurite runs apart | ${systemCpuMs.toFixed(2)} | ${baselineCpuMs.toFixed(2)} | ${ratio(systemCpuMs, baselineCpuMs)} |`,
        `| CPU of Azurite per job (ms) | ${systemAzuriteCpuMs.toFixed(2)} | ${baselineAzuriteCpuMs.toFixed(2)} | ${ratio(systemAzuriteCpuMs, baselineAzuriteCpuMs)} |`,
        `| jobs/s the machine's ${availableParallelism()} cores could carry at that CPU per job (this process + Azurite), all busy | ${ceiling(systemCpuMs + systemAzuriteCpuMs).toFixed(0)} | ${ceiling(baselineCpuMs + baselineAzuriteCpuMs).toFixed(0)} | ${ratio(ceiling(systemCpuMs + systemAzuriteCpuMs), ceiling(baselineCpuMs + baselineAzuriteCpuMs))} |`,
        `| Table Storage requests per delivered job, all tables | ${roundTrips.total.toFixed(1)} | | |`,
        `| … ${azureResources.tables.records}: the Create's commit and the job's rows | ${roundTrips.records.toFixed(1)} | | |`,
        `| … ${DURABLE_TABLE}: the Durable state | ${roundTrips.durable.toFixed(1)} | | |`,
        `| … ${azureResources.tables.listenerReceipts}: the listener's receipt | ${roundTrips.receipts.toFixed(1)} | | |`,
        `| … other tables (table creation) | ${roundTrips.other.toFixed(1)} | | |`,
        "",
        `Counted: every HTTP request the app made to Azurite's table endpoint (through a counting proxy) from the first Create to the last receipt, divided by ${JOBS} jobs; the bench's own reading of receipts goes to Azurite directly and is not counted. An entity-group transaction (\`$batch\`) is one request, attributed to the table in its body. By table and method: ${roundTrips.detail}.`,
        "",
        `Per delivered job: ${orchestrationEpisodes.toFixed(1)} orchestration episodes, ${activities.toFixed(1)} activity runs.`,
      ];
    } finally {
      await host.stop();
      await broker.stop();
      await proxy.close();
      await azurite.stop();
    }
  },
};
