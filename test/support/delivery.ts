import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createContext, entity, ExecutionMode, Stage, type RemoteExecutionContext } from "../../shared/model";

export const ORGANIZATION = "contoso";

/** An asynchronous post-operation Create of an account, as Dataverse posts it; `padding` bytes in Target make it large. */
export function accountCreated(options: { padding?: number; parentPadding?: number; agent?: string } = {}): RemoteExecutionContext {
  const accountId = "ec4e2f7d-9d60-e811-a95a-000d3af24950";
  const target = entity("account", accountId, { name: "Contoso", description: "x".repeat(options.padding ?? 0) });
  const parentContext = createContext({
    messageName: "Create",
    primaryEntityName: "account",
    primaryEntityId: accountId,
    stage: Stage.MainOperation,
    mode: ExecutionMode.Asynchronous,
    organizationName: ORGANIZATION,
  });
  return createContext({
    messageName: "Create",
    primaryEntityName: "account",
    primaryEntityId: accountId,
    stage: Stage.PostOperation,
    mode: ExecutionMode.Asynchronous,
    organizationName: ORGANIZATION,
    organizationId: "3a3c2b2f-1f1e-4d5c-9b8a-7f6e5d4c3b2a",
    userId: "df010dad-f103-4589-ba66-76a5a04c2a11",
    initiatingUserId: "5e2c7a3b-0a1b-4c2d-8e3f-9a8b7c6d5e4f",
    initiatingUserAgent: options.agent,
    inputParameters: { Target: target },
    postEntityImages: { AsynchronousStepPrimaryName: entity("account", accountId, { name: "Contoso" }) },
    parentContext,
  });
}

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestHttpServer {
  url: string;
  requests: RecordedRequest[];
  /** Statuses to answer with, one per request; 200 once they run out. */
  statuses: number[];
  /** Answer body for 2xx. */
  replyBody: string;
  /** Leave requests unanswered (for timeouts). */
  hang: boolean;
  /** Answers the requests left unanswered while `hang` was set, with `status`. */
  answerHung(status: number): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and a free port that records what it receives. */
export async function startTestHttpServer(): Promise<TestHttpServer> {
  const hung: ServerResponse[] = [];
  const state: Omit<TestHttpServer, "url" | "close" | "answerHung"> = { requests: [], statuses: [], replyBody: "", hang: false };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      state.requests.push({
        method: request.method ?? "",
        url: new URL(request.url ?? "/", "http://127.0.0.1"),
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      if (state.hang) return void hung.push(response);
      const status = state.statuses.shift() ?? 200;
      response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? state.replyBody : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/hook`,
    answerHung: (status: number) => {
      for (const response of hung.splice(0)) response.writeHead(status, { "content-type": "text/plain" }).end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/**
 * Runs `use` with a test HTTP server of its own, and closes the server however `use` ends; a request it still
 * leaves hanging is answered 503 first, as a failing endpoint would, rather than cut off.
 */
export async function withTestHttpServer<T>(use: (server: TestHttpServer) => Promise<T>): Promise<T> {
  const server = await startTestHttpServer();
  try {
    return await use(server);
  } finally {
    server.answerHung(503);
    await server.close();
  }
}
