import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does with a request: pass it on, refuse it (503, nothing written), or pass it on and lose the answer (the connection drops). */
export type ProxyAction = "forward" | "refuse" | "lose-answer";

/** A request as the proxy saw it (the body as latin1 text). */
export interface ProxiedRequest {
  method: string;
  url: string;
  body: string;
}

export interface TableProxy {
  /** The connection string to give the code under test: Azurite's, with the table endpoint through the proxy. */
  connectionString: string;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of Azurite's table endpoint, for tests and benchmarks: `decide` sees every
 * request (to count it) and may spoil one, a fault storage cannot produce on demand. Everything else
 * is passed on unchanged.
 */
export async function startTableProxy(connectionString: string, decide: (request: ProxiedRequest) => ProxyAction): Promise<TableProxy> {
  const target = new URL(/TableEndpoint=([^;]+)/.exec(connectionString)?.[1] ?? "");
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const action = decide({ method: incoming.method ?? "", url: incoming.url ?? "", body: body.toString("latin1") });
      if (action === "refuse") return void outgoing.writeHead(503).end();
      const forwarded = httpRequest({ host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
        if (action === "lose-answer") {
          answer.resume();
          outgoing.destroy();
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      forwarded.on("error", () => outgoing.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const { port } = server.address() as AddressInfo;
  const proxied = `http://127.0.0.1:${port}${target.pathname}`;
  return {
    connectionString: connectionString.replace(target.href.replace(/\/$/, ""), proxied.replace(/\/$/, "")),
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
