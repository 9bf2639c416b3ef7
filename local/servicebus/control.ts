import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServiceBusBroker } from "./broker";

export interface ControlServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * A tiny HTTP API on 127.0.0.1 for fault injection from another process:
 * `POST /interrupt?ms=N` drops every connection and refuses new ones for N ms (forever without ms),
 * `POST /resume` accepts connections again.
 */
export async function startControlServer(broker: ServiceBusBroker, port = 0): Promise<ControlServer> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const answer = (status: number, body: object) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.method !== "POST") return answer(405, { error: "use POST /interrupt?ms=N or POST /resume" });
    if (url.pathname === "/interrupt") {
      const ms = url.searchParams.get("ms");
      if (ms !== null && !(Number(ms) > 0)) return answer(400, { error: `ms must be a positive number of milliseconds, got "${ms}"` });
      broker.interrupt(ms === null ? undefined : Number(ms));
      return answer(200, { interrupted: true, ms: ms === null ? null : Number(ms) });
    }
    if (url.pathname === "/resume") {
      broker.resume();
      return answer(200, { interrupted: false });
    }
    return answer(404, { error: `unknown path ${url.pathname}` });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
