import { isMainThread, parentPort, Worker, workerData, type MessagePort } from "node:worker_threads";
import { startTableProxy } from "../local/storage/table-proxy";

/** Requests counted per `"<table> <method>"`, e.g. `Records GET`, `Records POST $batch`, `Tables POST`. */
export type RequestCounts = Map<string, number>;

/** The first operation's request line inside a `$batch` multipart body: `POST http://host/account/Records HTTP/1.1`. */
const BATCH_TABLE = /^(?:GET|POST|PUT|PATCH|MERGE|DELETE) \S*?\/([A-Za-z][A-Za-z0-9]*)(?:\(|\?| )/m;

/** The table a plain request addresses: `/account/Records(PartitionKey='…',RowKey='…')` → `Records`. */
function tableOfPath(url: string): string {
  const path = url.split("?")[0].split("/").filter(Boolean);
  return (path[1] ?? path[0] ?? "").replace(/\(.*$/, "");
}

/** What a request is counted as: its table and method; a `$batch` by the table its body names. */
function countKey(request: { method: string; url: string; body: string }): string {
  const table = tableOfPath(request.url);
  if (table !== "$batch") return `${table} ${request.method}`;
  return `${BATCH_TABLE.exec(request.body)?.[1] ?? "?"} ${request.method} $batch`;
}

export interface CountingProxy {
  /** Azurite's connection string with the table endpoint through the proxy. */
  connectionString: string;
  /** Counts since the start (a copy). */
  counts(): Promise<RequestCounts>;
  close(): Promise<void>;
}

type ProxyRequest = "counts" | "close";
type ProxyAnswer = { connectionString: string } | { counts: [string, number][] } | { closed: true };

/**
 * The table proxy (local/storage/table-proxy.ts) counting every request by table and method. It runs in
 * a worker thread, so that forwarding costs the app under test no CPU.
 */
export async function startCountingProxy(connectionString: string): Promise<CountingProxy> {
  const worker = new Worker(__filename, { workerData: { countingProxyOf: connectionString } });
  const next = () =>
    new Promise<ProxyAnswer>((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      worker.once("error", fail);
      worker.once("message", (answer: ProxyAnswer) => {
        worker.off("error", fail);
        resolve(answer);
      });
    });
  const ask = async (request: ProxyRequest) => {
    const answer = next();
    worker.postMessage(request);
    return answer;
  };
  const started = (await next()) as { connectionString: string };
  return {
    connectionString: started.connectionString,
    counts: async () => new Map(((await ask("counts")) as { counts: [string, number][] }).counts),
    close: async () => {
      await ask("close");
      await worker.terminate();
    },
  };
}

async function serveInWorker(connectionString: string, port: MessagePort): Promise<void> {
  const counts: RequestCounts = new Map();
  const proxy = await startTableProxy(connectionString, (request) => {
    const key = countKey(request);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return "forward";
  });
  port.on("message", (request: ProxyRequest) => {
    if (request === "counts") port.postMessage({ counts: [...counts] } satisfies ProxyAnswer);
    else void proxy.close().then(() => port.postMessage({ closed: true } satisfies ProxyAnswer));
  });
  port.postMessage({ connectionString: proxy.connectionString } satisfies ProxyAnswer);
}

const proxied = (workerData as { countingProxyOf?: string } | null)?.countingProxyOf;
if (!isMainThread && parentPort && proxied) void serveInWorker(proxied, parentPort);

/** `after` minus `before`, per key. */
export function countsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  return new Map([...after].map(([key, value]) => [key, value - (before.get(key) ?? 0)]));
}
