import { randomUUID } from "node:crypto";
import { HttpRequest, InvocationContext } from "@azure/functions";
import { serveOnLoopback } from "../../local/util/loopback-http";
import { createWebApiHandler } from "../../functions/webapi";
import { createDataService, handleHttp, readDataServiceSettings, type DataService } from "../../shared/dataservice";

export interface ApiResult {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  /** The body as sent ("" when none): what a plain-text answer (`/$count`, `/$value`) is read from. */
  text: string;
}

/** A Functions handler's response as a test reads it: the JSON body parsed, any body also as text. */
export async function readApiResult(response: { status: number; headers: Headers; text(): Promise<string> }): Promise<ApiResult> {
  const text = await response.text();
  const isJson = (response.headers.get("Content-Type") ?? "").includes("json");
  return { status: response.status, headers: response.headers, json: text && isJson ? JSON.parse(text) : undefined, text };
}

export interface ApiCallOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

/** A unique organization name, so test files sharing one Azurite never see each other's rows. */
export function uniqueOrganization(prefix = "t"): string {
  return `${prefix}${randomUUID().replace(/-/g, "").slice(0, 12)}`;
}

/**
 * The data service against the test Azurite, called in-process through the Functions handler with
 * real `HttpRequest`s (local-runtime-facts §2). Anonymous calls act as each organization's administrator.
 */
export function dataServiceForTests(organizations: string[], options: { allowAnonymousAsAdmin?: boolean; administratorObjectId?: string } = {}) {
  const env = {
    AzureWebJobsStorage: process.env.AzureWebJobsStorage,
    Organizations: organizations.join(","),
    AllowAnonymousAsAdmin: String(options.allowAnonymousAsAdmin ?? true),
    AdministratorObjectId: options.administratorObjectId,
  };
  const service: DataService = createDataService({ env, settings: readDataServiceSettings(env) });
  const handler = createWebApiHandler(() => service);
  const origin = "http://127.0.0.1:7071";

  async function call(method: string, path: string, options: ApiCallOptions = {}): Promise<ApiResult> {
    const url = path.startsWith("http") ? path : `${origin}/${path.replace(/^\//, "")}`;
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const request = new HttpRequest({
      method,
      url,
      headers,
      body: options.body === undefined ? undefined : { string: typeof options.body === "string" ? options.body : JSON.stringify(options.body) },
    });
    return readApiResult(await handler(request, new InvocationContext()));
  }

  /** A caller bound to one organization's Web API base path. */
  function api(organization: string, defaults: Record<string, string> = {}) {
    const base = `${organization}/api/data/v9.2/`;
    return (method: string, path: string, options: ApiCallOptions = {}) =>
      call(method, path.startsWith("http") ? path : base + path, { ...options, headers: { ...defaults, ...options.headers } });
  }

  return { service, call, api, origin };
}

/** The id in an OData-EntityId header. */
export function entityIdOf(result: ApiResult): string {
  const header = result.headers.get("OData-EntityId") ?? "";
  const match = /\(([0-9a-f-]{36})\)$/.exec(header);
  if (!match) throw new Error(`No entity id in ${JSON.stringify(header)} (status ${result.status}: ${JSON.stringify(result.json)})`);
  return match[1];
}

/** The data service on a real loopback HTTP endpoint (for client libraries); close it after. */
export async function serveDataService(service: DataService) {
  return serveOnLoopback(async (request) => {
    const response = await handleHttp(service.webApi, request);
    return new Response(response.body ?? null, { status: response.status, headers: response.headers });
  });
}
