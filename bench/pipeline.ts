import { startAzurite } from "../local/storage/azurite";
import { serveOnLoopback } from "../local/util/loopback-http";
import { handleHttp, readDataServiceSettings } from "../shared/dataservice";
import { createPipelineService } from "../shared/pipeline";
import { PluginCatalog } from "../shared/plugins/catalog";
import type { IPlugin } from "../shared/plugins";
import { concurrentRate, expectStatus } from "./dataservice";
import type { BenchSuite } from "./suite";
import { ratio } from "./suite";

const DURATION_MS = 2000;
const ROUNDS = 5;
const PLAIN = "plain";
const PLUGGED = "plugged";
const ACCOUNT = JSON.stringify({ name: "Benchmark Ltd", revenue: 1000.5, industrycode: 7, telephone1: "+1 555 0100" });
const JSON_HEADERS = { "Content-Type": "application/json" };
/** Five synchronous steps on Create of account: two pre-validation, one pre-operation, two post-operation. */
const CREATE_STAGES = [10, 10, 20, 40, 40];

class NoOp implements IPlugin {
  execute(): void {}
}

/**
 * Create requests/s through the Web API of one organization with five no-op synchronous plug-ins on
 * account Create beside one with none (same service, same run), and storage round trips per Create and
 * Update with and without plug-ins and images.
 */
export const pipelineSuite: BenchSuite = {
  name: "pipeline",
  async run(log) {
    const azurite = await startAzurite();
    const env = { AzureWebJobsStorage: azurite.connectionString, Organizations: `${PLAIN},${PLUGGED}`, AllowAnonymousAsAdmin: "true" };
    const service = createPipelineService({ env, settings: readDataServiceSettings(env), plugins: new PluginCatalog({ bench: { NoOp } }) });
    const server = await serveOnLoopback(async (request) => {
      const response = await handleHttp(service.webApi, request);
      return new Response(response.body ?? null, { status: response.status, headers: response.headers });
    });
    try {
      const api = (org: string) => `${server.origin}/${org}/api/data/v9.2/`;
      const call = async (org: string, method: string, path: string, body?: unknown): Promise<Response> => {
        const response = await fetch(api(org) + path, { method, headers: JSON_HEADERS, body: body === undefined ? undefined : JSON.stringify(body) });
        if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
        return response;
      };
      const firstId = async (org: string, path: string) => {
        const row = ((await (await call(org, "GET", path)).json()) as { value: Record<string, string>[] }).value[0];
        return Object.entries(row).find(([key]) => key.endsWith("id") && !key.startsWith("_"))![1];
      };
      const idOf = (response: Response) => /\(([0-9a-f-]{36})\)$/.exec(response.headers.get("OData-EntityId") ?? "")![1];
      const register = async (message: string, stage: number) => {
        const messageId = await firstId(PLUGGED, `sdkmessages?$filter=name eq '${message}'&$select=sdkmessageid`);
        const filter = await call(PLUGGED, "POST", "sdkmessagefilters", { primaryobjecttypecode: "account", "sdkmessageid@odata.bind": `/sdkmessages(${messageId})` });
        const pluginType = await firstId(PLUGGED, "plugintypes?$select=plugintypeid");
        const step = await call(PLUGGED, "POST", "sdkmessageprocessingsteps", {
          name: `NoOp ${message} ${stage}`, stage, mode: 0, rank: 1,
          "sdkmessageid@odata.bind": `/sdkmessages(${messageId})`,
          "sdkmessagefilterid@odata.bind": `/sdkmessagefilters(${idOf(filter)})`,
          "eventhandler_plugintype@odata.bind": `/plugintypes(${pluginType})`,
        });
        return idOf(step);
      };
      const image = (step: string, imagetype: number) =>
        call(PLUGGED, "POST", "sdkmessageprocessingstepimages", { entityalias: `image${imagetype}`, imagetype, messagepropertyname: "Target", "sdkmessageprocessingstepid@odata.bind": `/sdkmessageprocessingsteps(${step})` });

      const post = (org: string) => () => fetch(`${api(org)}accounts`, { method: "POST", headers: JSON_HEADERS, body: ACCOUNT }).then(expectStatus(204));
      await post(PLAIN)();
      await post(PLUGGED)();
      for (const stage of CREATE_STAGES) await register("Create", stage);
      await post(PLUGGED)(); // loads the registrations once
      await concurrentRate(post(PLAIN), 500);
      await concurrentRate(post(PLUGGED), 500);
      let plain = 0;
      let plugged = 0;
      for (let round = 1; round <= ROUNDS; round++) {
        plain = Math.max(plain, await concurrentRate(post(PLAIN), DURATION_MS));
        plugged = Math.max(plugged, await concurrentRate(post(PLUGGED), DURATION_MS));
        log(`round ${round}: no plug-ins ${plain.toFixed(0)}/s, five plug-ins ${plugged.toFixed(0)}/s (best so far)`);
      }

      const roundTrips = async (work: () => Promise<unknown>) => (await service.roundTrips.measure(work)).roundTrips;
      const update = (org: string, id: string) => () => call(org, "PATCH", `accounts(${id})`, { description: "updated" });
      const createPlain = await roundTrips(post(PLAIN));
      const createPlugged = await roundTrips(post(PLUGGED));
      const plainId = await firstId(PLAIN, "accounts?$top=1&$select=name");
      const pluggedId = await firstId(PLUGGED, "accounts?$top=1&$select=name");
      const updatePlain = await roundTrips(update(PLAIN, plainId));
      await image(await register("Create", 40), 1);
      await post(PLUGGED)();
      const createPostImage = await roundTrips(post(PLUGGED));
      await register("Update", 20);
      await update(PLUGGED, pluggedId)();
      const updatePlugged = await roundTrips(update(PLUGGED, pluggedId));
      await image(await register("Update", 40), 2);
      await update(PLUGGED, pluggedId)();
      const updatePreImage = await roundTrips(update(PLUGGED, pluggedId));
      return [
        `In-process: the Web API behind one node:http server on 127.0.0.1 (the Functions host was not used), Azurite in memory, concurrent clients as in the dataservice suite, best of ${ROUNDS} alternating rounds of ${DURATION_MS / 1000} s each. Two organizations of one service: one without steps, one with five no-op synchronous plug-in steps on account Create (stages ${CREATE_STAGES.join(", ")}).`,
        "",
        "| measure | value |",
        "|---|---|",
        `| Create, no plug-ins | ${plain.toFixed(0)} req/s |`,
        `| Create, five no-op plug-ins | ${plugged.toFixed(0)} req/s |`,
        `| ratio five plug-ins / none (goal ≥ 0.8) | ${ratio(plugged, plain)} |`,
        `| storage round trips per Create: no plug-ins / five plug-ins / plus a post-image (goal: equal) | ${createPlain} / ${createPlugged} / ${createPostImage} |`,
        `| storage round trips per Update: no plug-ins / a plug-in / plus a pre- and post-image | ${updatePlain} / ${updatePlugged} / ${updatePreImage} |`,
      ];
    } finally {
      await server.close();
      await azurite.stop();
    }
  },
};
