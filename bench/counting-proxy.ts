import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { isMainThread, parentPort, Worker, workerData, type MessagePort } from "node:worker_threads";

/** Requests counted per `"<table> <method>"`, e.g. `Records GET`, `Records POST $batch`, `Tables POST`. */
export type RequestCounts = Map<string, number>;

/** How much of an entity-group transaction's body is searched for its table (the first operation's request line is near the start). */
const BATCH_PREFIX_BYTES = 2048;
/** The first operation's request line inside a `$batch` multipart body: `POST http://host/account/Records HTTP/1.1`. */
const BATCH_TABLE = /^(?:GET|POST|PUT|PATCH|MERGE|DELETE) \S*?\/([A-Za-z][A-Za-z0-9]*)(?:\(|\?| )/m;

/** The table a plain request addresses: `/account/Records(PartitionKey='…',RowKey='…')` → `Records`. */
function tableOfPath(url: string): string {
  const path = url.split("?")[0].split("/").filter(Boolean);
  return (path[1] ?? path[0] ?? "").replace(/\(.*$/, "");
}

/** Reads the table of a `$batch` from the start of its body while the body is forwarded. */
function batchTable(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let prefix = "";
    const onData = (chunk: Buffer) => {
      prefix += chunk.toString("latin1");
      const table = BATCH_TABLE.exec(prefix)?.[1];
      if (table || prefix.length >= BATCH_PREFIX_BYTES) finish(table ?? "?");
    };
    const finish = (table: string) => {
      incoming.off("data", onData);
      resolve(table);
    };
    incoming.on("data", onData);
    incoming.on("end", () => finish(BATCH_TABLE.exec(prefix)?.[1] ?? "?"));
  });
}

export interface CountingProxy {
  url: string;
  /** Counts since the start (a copy). */
  counts(): Promise<RequestCounts>;
  close(): Promise<void>;
}

type ProxyRequest = "counts" | "close";
type ProxyAnswer = { port: number } | { counts: [string, number][] } | { closed: true };

/**
 * An HTTP proxy in front of Azurite's table endpoint that counts requests (storage round trips) by
 * table and method. It runs in a worker thread, so that forwarding costs the app under test no CPU.
 */
export async function startCountingProxy(target: URL): Promise<CountingProxy> {
  const worker = new Worker(__filename, { workerData: { countingProxyTarget: target.href } });
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
  const { port } = (await next()) as { port: number };
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    counts: async () => new Map(((await ask("counts")) as { counts: [string, number][] }).counts),
    close: async () => {
      await ask("close");
      await worker.terminate();
    },
  };
}

async function serveInWorker(target: URL, port: MessagePort): Promise<void> {
  const counts: RequestCounts = new Map();
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const server = createServer((incoming, outgoing) => {
    const url = incoming.url ?? "";
    if (tableOfPath(url) === "$batch") void batchTable(incoming).then((table) => count(`${table} ${incoming.method} $batch`));
    else count(`${tableOfPath(url)} ${incoming.method}`);
    const forwarded = httpRequest({ host: target.hostname, port: target.port, path: url, method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on("error", () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  port.on("message", (request: ProxyRequest) => {
    if (request === "counts") port.postMessage({ counts: [...counts] } satisfies ProxyAnswer);
    else {
      server.closeAllConnections();
      server.close(() => port.postMessage({ closed: true } satisfies ProxyAnswer));
    }
  });
  port.postMessage({ port: (server.address() as AddressInfo).port } satisfies ProxyAnswer);
}

const proxyTarget = (workerData as { countingProxyTarget?: string } | null)?.countingProxyTarget;
if (!isMainThread && parentPort && proxyTarget) void serveInWorker(new URL(proxyTarget), parentPort);

/** `after` minus `before`, per key. */
export function countsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  return new Map([...after].map(([key, value]) => [key, value - (before.get(key) ?? 0)]));
}
