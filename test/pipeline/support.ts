import { HttpRequest, InvocationContext } from "@azure/functions";
import { createWebApiHandler } from "../../functions/webapi";
import { readDataServiceSettings } from "../../shared/dataservice";
import { createPipelineService, type JobDispatcher, type OrganizationNotifications, type PipelineService } from "../../shared/pipeline";
import type { JobOrchestrations } from "../../shared/jobs/orchestrations";
import { PluginCatalog } from "../../shared/plugins/catalog";
import * as accountDefaults from "../../plugins/account-defaults";
import * as scripted from "./scripted-plugin";
import { readApiResult, type ApiCallOptions, type ApiResult } from "../support/data-service";

export const SCRIPTED = "scripted-plugin.Scripted";

/** The test plug-ins (scripted) and the sample. */
export const testPlugins = () => new PluginCatalog({ "scripted-plugin": scripted, "account-defaults": accountDefaults });

/** The pipeline service on the test Azurite with the test plug-ins and the sample, called through the Functions handler. */
export function pipelineForTests(
  organizations: string[],
  options: { stepTimeoutMs?: number; dispatcher?: JobDispatcher; notifications?: OrganizationNotifications; storage?: string; plugins?: PluginCatalog; jobOrchestrations?: () => JobOrchestrations; registrationTtlMs?: number } = {},
) {
  const env = { AzureWebJobsStorage: options.storage ?? process.env.AzureWebJobsStorage, Organizations: organizations.join(","), AllowAnonymousAsAdmin: "true" };
  const service: PipelineService = createPipelineService({
    env,
    settings: readDataServiceSettings(env),
    plugins: options.plugins ?? testPlugins(),
    stepTimeoutMs: options.stepTimeoutMs,
    dispatcher: options.dispatcher,
    notifications: options.notifications,
    jobOrchestrations: options.jobOrchestrations,
    registrationTtlMs: options.registrationTtlMs,
  });
  return { service, api: webApiClient(service) };
}

/** Calls a service's Web API through the Functions handler, as one organization. */
export function webApiClient(service: PipelineService) {
  const handler = createWebApiHandler(() => service);
  return function api(organization: string) {
    return async (method: string, path: string, call: ApiCallOptions = {}): Promise<ApiResult> => {
      const headers: Record<string, string> = { Accept: "application/json", ...call.headers };
      if (call.body !== undefined) headers["Content-Type"] = "application/json";
      const request = new HttpRequest({
        method,
        url: `http://127.0.0.1:7071/${organization}/api/data/v9.2/${path}`,
        headers,
        body: call.body === undefined ? undefined : { string: JSON.stringify(call.body) },
      });
      return readApiResult(await handler(request, new InvocationContext()));
    };
  };
}

type Api = ReturnType<ReturnType<typeof pipelineForTests>["api"]>;

export interface StepSpec {
  message: string;
  table?: string;
  stage: number;
  mode?: number;
  rank?: number;
  script?: object;
  /** Plain unsecure configuration (instead of a script). */
  configuration?: string;
  type?: string;
  filteringattributes?: string;
  impersonatinguserid?: string;
  name?: string;
}

async function idOf(api: Api, path: string): Promise<string> {
  const result = await api("GET", path);
  const row = result.json?.value?.[0];
  if (!row) throw new Error(`Nothing at ${path}: ${JSON.stringify(result.json)}`);
  return Object.entries(row).find(([key]) => key.endsWith("id") && !key.startsWith("_"))?.[1] as string;
}

/** The body of a step registration (message and filter resolved to binds). */
export async function stepBody(api: Api, spec: StepSpec): Promise<Record<string, unknown>> {
  const messageId = await idOf(api, `sdkmessages?$filter=name eq '${spec.message}'&$select=sdkmessageid`);
  const body: Record<string, unknown> = {
    name: spec.name ?? `${spec.type ?? SCRIPTED}: ${spec.message} of ${spec.table ?? "any"}`,
    stage: spec.stage,
    mode: spec.mode ?? 0,
    rank: spec.rank ?? 1,
    configuration: spec.configuration ?? JSON.stringify(spec.script ?? {}),
    "sdkmessageid@odata.bind": `/sdkmessages(${messageId})`,
    "eventhandler_plugintype@odata.bind": `/plugintypes(${await pluginTypeIdOf(api, spec.type ?? SCRIPTED)})`,
  };
  if (spec.table) {
    const filter = await api("POST", "sdkmessagefilters", { body: { name: `${spec.message} ${spec.table}`, primaryobjecttypecode: spec.table, "sdkmessageid@odata.bind": `/sdkmessages(${messageId})` } });
    if (filter.status !== 204) throw new Error(JSON.stringify(filter.json));
    body["sdkmessagefilterid@odata.bind"] = `/sdkmessagefilters(${idFromHeader(filter)})`;
  }
  if (spec.filteringattributes !== undefined) body.filteringattributes = spec.filteringattributes;
  if (spec.impersonatinguserid) body["impersonatinguserid@odata.bind"] = `/systemusers(${spec.impersonatinguserid})`;
  return body;
}

export async function registerStep(api: Api, spec: StepSpec): Promise<string> {
  const result = await api("POST", "sdkmessageprocessingsteps", { body: await stepBody(api, spec) });
  if (result.status !== 204) throw new Error(`Step registration failed: ${result.status} ${JSON.stringify(result.json)}`);
  return idFromHeader(result);
}

export async function registerImage(api: Api, stepId: string, image: { imagetype: number; entityalias: string; attributes?: string; messagepropertyname?: string }): Promise<ApiResult> {
  return api("POST", "sdkmessageprocessingstepimages", {
    body: { name: image.entityalias, messagepropertyname: "Target", ...image, "sdkmessageprocessingstepid@odata.bind": `/sdkmessageprocessingsteps(${stepId})` },
  });
}

async function pluginTypeIdOf(api: Api, typeName: string): Promise<string> {
  return idOf(api, `plugintypes?$filter=typename eq '${typeName}'&$select=plugintypeid`);
}

export function idFromHeader(result: ApiResult): string {
  const match = /\(([0-9a-f-]{36})\)$/.exec(result.headers.get("OData-EntityId") ?? "");
  if (!match) throw new Error(`No entity id (status ${result.status}: ${JSON.stringify(result.json)})`);
  return match[1];
}
