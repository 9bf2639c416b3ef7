import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does with a request: pass it on, refuse it (503, nothing written), or pass it on and lose the answer (the connection drops). */
export type ProxyAction = "forward" | "refuse" | "lose-answer";

export interface TableProxy {
  /** The connection string to give the code under test: Azurite's, with the table endpoint through the proxy. */
  connectionString: string;
  /** Requests seen so far. */
  requests: { method: string; url: string; body: string }[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of Azurite's table endpoint that sees every request and, when `decide` says so,
 * spoils one: faults storage cannot produce on demand. Everything else is passed on unchanged.
 */
export async function startTableProxy(connectionString: string, decide: (request: { method: string; url: string; body: string }) => ProxyAction = () => "forward"): Promise<TableProxy> {
  const target = new URL(/TableEndpoint=([^;]+)/.exec(connectionString)?.[1] ?? "");
  const requests: TableProxy["requests"] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const seen = { method: incoming.method ?? "", url: incoming.url ?? "", body: body.toString("latin1") };
      requests.push(seen);
      const action = decide(seen);
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
    requests,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
