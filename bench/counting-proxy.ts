import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

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
  counts(): RequestCounts;
  close(): Promise<void>;
}

/** An HTTP proxy in front of Azurite's table endpoint that counts requests (storage round trips) by table and method. */
export async function startCountingProxy(target: URL): Promise<CountingProxy> {
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
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    counts: () => new Map(counts),
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** `after` minus `before`, per key. */
export function countsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  return new Map([...after].map(([key, value]) => [key, value - (before.get(key) ?? 0)]));
}
