import { triggerOf, type FunctionCatalog } from "../functions";
import type { RpcTypedData } from "../core-types";
import type { HostLogger } from "../logger";
import { errorMessage } from "../logger";
import { presentedKey, type FunctionKeys } from "./keys";
import type { RequestHandler } from "./server";

/** The input a manual run gives a trigger: a timer gets its timer info, others the `input` text. */
function manualTriggerData(triggerType: string, input: string): RpcTypedData {
  if (triggerType.toLowerCase() === "timertrigger") {
    const now = new Date().toISOString();
    return { json: JSON.stringify({ Schedule: { AdjustForDST: true }, ScheduleStatus: { Last: now, Next: now, LastUpdated: now }, IsPastDue: false }) };
  }
  return { string: input };
}

/**
 * `POST /admin/functions/{name}` with `{"input": "…"}` and the master key runs a non-HTTP function
 * once, as the Functions host's admin API does (202 Accepted; the run is logged as usual).
 */
export function adminInvokeHandler(catalog: FunctionCatalog, keys: FunctionKeys, logger: HostLogger): RequestHandler {
  return async (request) => {
    const match = /^\/admin\/functions\/([^/]+)\/?$/i.exec(request.url.pathname);
    if (!match || request.method !== "POST") return undefined;
    if (!keys.allows("admin", presentedKey(request.url, request.headers))) return { status: 401 };
    const fn = catalog.find(decodeURIComponent(match[1]));
    if (!fn) return { status: 404 };
    const { type } = triggerOf(fn);
    if (type.toLowerCase() === "httptrigger") return { status: 400, headers: { "content-type": "text/plain" }, body: "HTTP functions are run by calling their route." };
    let input: string;
    try {
      const body = request.body.length > 0 ? (JSON.parse(request.body.toString("utf8")) as { input?: unknown }) : {};
      input = typeof body.input === "string" ? body.input : body.input === undefined ? "" : JSON.stringify(body.input);
    } catch (error) {
      return { status: 400, headers: { "content-type": "text/plain" }, body: `The request body is not valid JSON: ${errorMessage(error)}` };
    }
    void catalog.invoke(fn, manualTriggerData(type, input)).catch((error: unknown) => logger.host("error", `${fn.metadata.name}: ${errorMessage(error)}`));
    return { status: 202 };
  };
}
