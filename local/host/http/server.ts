import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HostRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HostResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
}

/** Answers a request, or returns undefined when it is not for this handler. */
export type RequestHandler = (request: HostRequest) => Promise<HostResponse | undefined>;

/** Azure's load balancer gives up on an HTTP response after 230 s (the function goes on running). */
export const HTTP_RESPONSE_CAP_MS = 230_000;
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

export interface RunningServer {
  readonly port: number;
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that tries handlers in order; 404 when none answers. */
export async function startHttpServer(port: number, handlers: RequestHandler[], onError: (error: unknown) => void, responseCapMs = HTTP_RESPONSE_CAP_MS): Promise<RunningServer> {
  const server: Server = createServer((req, res) => void serve(req, res, handlers, onError, responseCapMs));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    baseUrl: `http://127.0.0.1:${actualPort}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, handlers: RequestHandler[], onError: (error: unknown) => void, responseCapMs: number): Promise<void> {
  let response: HostResponse;
  try {
    const body = await readBody(req);
    if (body === undefined) {
      response = { status: 413 };
    } else {
      const request: HostRequest = { method: (req.method ?? "GET").toUpperCase(), url: new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`), headers: req.headers, body };
      response = await withCap(answer(request, handlers), responseCapMs);
    }
  } catch (error) {
    onError(error);
    response = { status: 500 };
  }
  if (res.headersSent) return;
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  res.end(response.body ?? "");
}

async function answer(request: HostRequest, handlers: RequestHandler[]): Promise<HostResponse> {
  for (const handler of handlers) {
    const response = await handler(request);
    if (response) return response;
  }
  return { status: 404 };
}

function withCap(pending: Promise<HostResponse>, capMs: number): Promise<HostResponse> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ status: 502 }), capMs);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
