import type { RegisteredFunction } from "../core-api";
import type { RpcHttpData } from "../core-types";
import { triggerOf, type FunctionCatalog } from "../functions";
import { invocationTraceContext } from "../invoke";
import { compileRoute, type CompiledRoute } from "./route-template";
import { presentedKey, type AuthLevel, type FunctionKeys } from "./keys";
import type { HostRequest, HostResponse, RequestHandler } from "./server";

interface HttpRoute {
  fn: RegisteredFunction;
  route: CompiledRoute;
  methods: Set<string> | undefined;
  authLevel: AuthLevel;
  /** Literal segments rank before parameters, catch-alls last (as ASP.NET routing orders them). */
  rank: number;
}

function rankOf(template: string): number {
  return template.split("/").reduce((sum, segment) => sum + (segment.includes("{*") ? 100 : segment.includes("{") ? 1 : 0), 0);
}

export function httpRoutes(catalog: FunctionCatalog, routePrefix: string): HttpRoute[] {
  return catalog
    .byTriggerType("httpTrigger")
    .map((fn) => {
      const { binding } = triggerOf(fn);
      const route = typeof binding.route === "string" && binding.route ? binding.route : fn.metadata.name;
      const template = [routePrefix, route.replace(/^\/+/, "")].filter(Boolean).join("/");
      const methods = Array.isArray(binding.methods) && binding.methods.length > 0 ? new Set(binding.methods.map((m) => String(m).toUpperCase())) : undefined;
      const authLevel = String(binding.authLevel ?? "function").toLowerCase() as AuthLevel;
      return { fn, route: compileRoute(template), methods, authLevel, rank: rankOf(template) };
    })
    .sort((a, b) => a.rank - b.rank);
}

/** Serves HTTP-triggered functions: route and method matching, function keys, then the invocation. */
export function httpTriggerHandler(catalog: FunctionCatalog, routes: HttpRoute[], keys: FunctionKeys): RequestHandler {
  return async (request) => {
    const path = request.url.pathname;
    for (const candidate of routes) {
      if (candidate.methods && !candidate.methods.has(request.method)) continue;
      const params = candidate.route.match(path);
      if (!params) continue;
      if (!keys.allows(candidate.authLevel, presentedKey(request.url, request.headers), candidate.fn.metadata.name)) return { status: 401 };
      return invokeHttp(catalog, candidate.fn, request, params);
    }
    return undefined;
  };
}

async function invokeHttp(catalog: FunctionCatalog, fn: RegisteredFunction, request: HostRequest, params: Record<string, string>): Promise<HostResponse> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  const query: Record<string, string> = {};
  for (const [name, value] of request.url.searchParams) query[name] ??= value;
  const http: RpcHttpData = { method: request.method, url: request.url.href, headers, query, params, body: { bytes: request.body } };
  const traceContext = invocationTraceContext(headers.traceparent, headers.tracestate);
  const outcome = await catalog.invoke(fn, { http }, { traceContext });
  if (!outcome.ok) return { status: 500 };
  const data = outcome.response.returnValue?.http ?? outcome.response.outputData?.find((output) => output.data?.http)?.data?.http;
  if (!data) return { status: 204 };
  return toHostResponse(data);
}

interface RpcCookie {
  name?: string;
  value?: string;
  domain?: { value?: string } | null;
  path?: { value?: string } | null;
  expires?: { value?: { seconds?: number } } | null;
  secure?: { value?: boolean } | null;
  httpOnly?: { value?: boolean } | null;
  sameSite?: string | null;
  maxAge?: { value?: number } | null;
}

function toHostResponse(data: RpcHttpData): HostResponse {
  const headers: Record<string, string | string[]> = { ...(data.headers ?? {}) };
  const cookies = (data.cookies ?? []) as RpcCookie[];
  if (cookies.length > 0) headers["set-cookie"] = cookies.map(serializeCookie);
  const body = data.body?.bytes ? Buffer.from(data.body.bytes) : typeof data.body?.string === "string" ? Buffer.from(data.body.string) : Buffer.alloc(0);
  return { status: Number(data.statusCode ?? 200) || 200, headers, body };
}

function serializeCookie(cookie: RpcCookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  if (cookie.expires?.value?.seconds) parts.push(`Expires=${new Date(cookie.expires.value.seconds * 1000).toUTCString()}`);
  if (cookie.maxAge?.value !== undefined) parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push("Secure");
  if (cookie.httpOnly?.value) parts.push("HttpOnly");
  const sameSite = { lax: "Lax", strict: "Strict", explicitNone: "None" }[String(cookie.sameSite)];
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join("; ");
}
