import { HTTP_RESPONSE_CAP_MS, type HostRequest, type HostResponse, type RequestHandler } from "../host/http/server";
import { DurableOperationError, type DurableEngine } from "./engine";
import { TERMINAL_STATUSES, type RuntimeStatus } from "./history";
import { INVALID_INSTANCE_ID, type InstanceRecord } from "./store";

/** The URLs the Durable extension publishes (durable client binding data, check-status responses). */
export interface ManagementUrls {
  /** e.g. http://127.0.0.1:7071/runtime/webhooks/durabletask */
  base: string;
  taskHub: string;
  systemKey: string;
}

export function managementPayload(urls: ManagementUrls, instanceId: string): Record<string, string> {
  const query = `taskHub=${encodeURIComponent(urls.taskHub)}&connection=Storage&code=${encodeURIComponent(urls.systemKey)}`;
  const instance = `${urls.base}/instances/${instanceId}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${query}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${instance}?${query}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
    resumePostUri: `${instance}/resume?reason={text}&${query}`,
  };
}

/** The durable client input binding's data, as the extension supplies it to `df.getClient`. */
export function durableClientData(urls: ManagementUrls, rpcBaseUrl: string): Record<string, unknown> {
  const key = `code=${encodeURIComponent(urls.systemKey)}`;
  return {
    taskHubName: urls.taskHub,
    creationUrls: {
      createNewInstancePostUri: `${urls.base}/orchestrators/{functionName}[/{instanceId}]?${key}`,
      createAndWaitOnNewInstancePostUri: `${urls.base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${key}`,
    },
    managementUrls: managementPayload(urls, "INSTANCEID"),
    baseUrl: urls.base,
    requiredQueryStringParameters: `taskHub=${encodeURIComponent(urls.taskHub)}&connection=Storage&${key}`,
    rpcBaseUrl,
    httpBaseUrl: urls.base,
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HostResponse => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(body),
});

/**
 * Status codes of Azure's API (the extension's HttpApiHandler): 202 while in progress, 200 once finished —
 * failed and terminated too — except 500 for a failure when the query asks `returnInternalServerErrorOnFailure=true`.
 */
function statusCode(status: RuntimeStatus, url: URL): number {
  if (!TERMINAL_STATUSES.has(status)) return 202;
  if (status === "Failed" && url.searchParams.get("returnInternalServerErrorOnFailure")?.toLowerCase() === "true") return 500;
  return 200;
}

function parseJsonText(body: Buffer): string | undefined {
  const text = body.toString("utf8");
  if (text.trim() === "") return undefined;
  JSON.parse(text);
  return text;
}

const parseStored = (text: string | undefined): unknown => (text === undefined ? null : JSON.parse(text));

async function statusBody(engine: DurableEngine, instance: InstanceRecord, url: URL): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {
    name: instance.name,
    instanceId: instance.instanceId,
    runtimeStatus: instance.runtimeStatus,
    input: url.searchParams.get("showInput") === "false" ? null : parseStored(instance.input),
    customStatus: parseStored(instance.customStatus),
    output: parseStored(instance.output),
    createdTime: instance.createdTime,
    lastUpdatedTime: instance.lastUpdatedTime,
  };
  if (url.searchParams.get("showHistory") === "true") {
    const showOutput = url.searchParams.get("showHistoryOutput") === "true";
    body.historyEvents = (await engine.history(instance)).map((e) => ({ ...e, DueAt: undefined, Result: showOutput ? e.Result : undefined }));
  }
  return body;
}

async function waitForFinish(engine: DurableEngine, instanceId: string, timeoutMs: number, intervalMs: number): Promise<InstanceRecord | undefined> {
  const deadline = Date.now() + Math.min(timeoutMs, HTTP_RESPONSE_CAP_MS);
  for (;;) {
    const instance = await engine.status(instanceId);
    if (instance && TERMINAL_STATUSES.has(instance.runtimeStatus)) return instance;
    if (Date.now() + intervalMs > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.max(intervalMs, 100)));
  }
}

function filterInstances(instances: InstanceRecord[], url: URL): InstanceRecord[] {
  const statuses = url.searchParams.get("runtimeStatus")?.split(",").filter(Boolean);
  const from = url.searchParams.get("createdTimeFrom");
  const to = url.searchParams.get("createdTimeTo");
  const prefix = url.searchParams.get("instanceIdPrefix");
  return instances
    .filter((i) => !statuses || statuses.includes(i.runtimeStatus))
    .filter((i) => !from || Date.parse(i.createdTime) >= Date.parse(from))
    .filter((i) => !to || Date.parse(i.createdTime) <= Date.parse(to))
    .filter((i) => !prefix || i.instanceId.startsWith(prefix))
    .sort((a, b) => a.createdTime.localeCompare(b.createdTime));
}

/**
 * The Durable HTTP management API under `prefix` (`/runtime/webhooks/durabletask/` for the public
 * webhooks, `/durabletask/` for the client's RPC endpoint): same paths and status codes as Azure.
 */
export function managementHandler(engine: DurableEngine, prefix: string, urls: () => ManagementUrls, authorize: (request: HostRequest) => boolean): RequestHandler {
  return async (request) => {
    const path = request.url.pathname;
    if (!path.toLowerCase().startsWith(prefix.toLowerCase())) return undefined;
    if (!authorize(request)) return { status: 401 };
    const segments = path.slice(prefix.length).split("/").filter(Boolean).map(decodeURIComponent);
    try {
      return (await route(engine, request, segments, urls())) ?? { status: 404 };
    } catch (error) {
      if (error instanceof DurableOperationError) return json(error.status, { message: error.message });
      if (error instanceof SyntaxError) return json(400, { message: `The request body is not valid JSON: ${error.message}` });
      throw error;
    }
  };
}

async function route(engine: DurableEngine, request: HostRequest, segments: string[], urls: ManagementUrls): Promise<HostResponse | undefined> {
  const [area, id, action, argument] = segments;
  const { method, url } = request;
  if (area === "orchestrators" && method === "POST" && segments.length <= 3 && id) {
    const instanceId = action;
    if (instanceId !== undefined && INVALID_INSTANCE_ID.test(instanceId)) return json(400, { message: `Instance ID '${instanceId}' contains characters that are not allowed.` });
    const started = await engine.startNew(id, instanceId, parseJsonText(request.body));
    const payload = managementPayload(urls, started);
    const timeoutSeconds = Number(url.searchParams.get("timeout") ?? "0");
    if (timeoutSeconds > 0) {
      // createAndWaitOnNewInstancePostUri: the output once done within the timeout, else the check-status payload.
      const finished = await waitForFinish(engine, started, timeoutSeconds * 1000, Number(url.searchParams.get("pollingInterval") ?? "1") * 1000);
      if (finished?.runtimeStatus === "Completed") return json(200, parseStored(finished.output));
      if (finished) return json(statusCode(finished.runtimeStatus, url), await statusBody(engine, finished, url));
    }
    return json(202, payload, { location: payload.statusQueryGetUri, "retry-after": "10" });
  }
  if (area === "entities") return json(501, { message: "Durable entities are not supported by the local runtime." });
  if (area !== "instances") return undefined;
  if (!id) {
    const matching = filterInstances(await engine.list(), url);
    if (method === "GET") return json(200, await Promise.all(matching.map((i) => statusBody(engine, i, url))));
    if (method === "DELETE") {
      let deleted = 0;
      for (const instance of matching.filter((i) => TERMINAL_STATUSES.has(i.runtimeStatus))) deleted += await engine.purge(instance.instanceId);
      return deleted === 0 ? { status: 404 } : json(200, { instancesDeleted: deleted });
    }
    return undefined;
  }
  if (!action) {
    if (method === "GET") {
      const instance = await engine.status(id);
      if (!instance) return { status: 404 };
      const code = statusCode(instance.runtimeStatus, url);
      const headers: Record<string, string> = code === 202 ? { location: managementPayload(urls, id).statusQueryGetUri, "retry-after": "10" } : {};
      return json(code, await statusBody(engine, instance, url), headers);
    }
    if (method === "DELETE") {
      const deleted = await engine.purge(id);
      return deleted === 0 ? { status: 404 } : json(200, { instancesDeleted: deleted });
    }
    return undefined;
  }
  if (method !== "POST") return undefined;
  const reason = url.searchParams.get("reason") ?? "";
  switch (action) {
    case "raiseEvent":
      if (!argument) return undefined;
      await engine.raiseEvent(id, argument, parseJsonText(request.body));
      return { status: 202 };
    case "terminate":
    case "suspend":
    case "resume":
      await engine.control(id, action, reason);
      return { status: 202 };
    case "rewind":
      return json(501, { message: "Rewind is not supported by the local runtime." });
    default:
      return undefined;
  }
}
