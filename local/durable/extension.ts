import { TableClient } from "@azure/data-tables";
import type { HostExtension } from "../host/host";
import { presentedKey } from "../host/http/keys";
import { startHttpServer } from "../host/http/server";
import { connectionString } from "../host/settings";
import { errorMessage } from "../host/logger";
import { AppConfigError } from "../host/app-config";
import { DurableEngine } from "./engine";
import { durableClientData, managementHandler, type ManagementUrls } from "./management-api";
import { DurableStore } from "./store";

const DURABLE_BINDINGS = new Set(["orchestrationtrigger", "activitytrigger", "entitytrigger", "durableclient", "orchestrationclient"]);

/** Orchestration time runs this many times faster than real time for timers (tests; default 1). */
function timeScaleFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.DURABLE_TIME_SCALE ?? "1");
  if (!(value > 0)) throw new AppConfigError(`DURABLE_TIME_SCALE: "${env.DURABLE_TIME_SCALE}" must be a positive number`);
  return value;
}

const NETWORK_ERRORS = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN"]);

/**
 * The first storage call of the host failed for want of a server: names the setting and where it points
 * (`npm run host` alone falls back to local.settings.example.json's UseDevelopmentStorage=true).
 */
function unreachableStorage(connectionString: string, error: unknown): unknown {
  if (!NETWORK_ERRORS.has(String((error as { code?: unknown }).code))) return error;
  const endpoint = new URL(TableClient.fromConnectionString(connectionString, "probe", { allowInsecureConnection: true }).url).host;
  const target = /UseDevelopmentStorage=true/i.test(connectionString) ? `UseDevelopmentStorage=true → ${endpoint}` : endpoint;
  return new AppConfigError(
    `AzureWebJobsStorage (${target}) is not reachable: start \`npm run storage\` and export the AzureWebJobsStorage connection string it prints (${errorMessage(error)})`,
  );
}

/**
 * The Durable Functions extension of the local host: the engine, its state in Table Storage
 * (AzureWebJobsStorage), the durable client binding, the public management webhooks and the
 * client's RPC endpoint on its own loopback port (as in Azure).
 */
export function durableExtension(): HostExtension {
  return {
    async start({ catalog, settings, keys, logger, baseUrl, timeScale }) {
      const usesDurable = catalog.all().some((fn) => Object.values(fn.metadata.bindings).some((b) => DURABLE_BINDINGS.has(String(b.type).toLowerCase())));
      if (!usesDurable) return { stop: async () => undefined };
      const storage = connectionString("AzureWebJobsStorage");
      if (!storage) throw new AppConfigError("AzureWebJobsStorage is not set: Durable Functions keep their state in Table Storage (start Azurite with `npm run storage`)");
      const store = await DurableStore.open(storage, settings.hubName).catch((error: unknown) => {
        throw unreachableStorage(storage, error);
      });
      const engine = new DurableEngine(store, catalog, logger, timeScale ?? timeScaleFromEnv(), settings.maxConcurrentActivityFunctions);
      const urls = (): ManagementUrls => ({ base: `${baseUrl()}/runtime/webhooks/durabletask`, taskHub: settings.hubName, systemKey: keys.durableSystemKey });
      const rpc = await startHttpServer(0, [managementHandler(engine, "/durabletask/", urls, () => true)], (error) => logger.host("error", `durable RPC: ${errorMessage(error)}`));
      const rpcBaseUrl = `${rpc.baseUrl}/durabletask/`;
      const clientData = () => ({ string: JSON.stringify(durableClientData(urls(), rpcBaseUrl)) });
      catalog.provideInput("durableClient", clientData);
      catalog.provideInput("orchestrationClient", clientData);
      const publicApi = managementHandler(engine, "/runtime/webhooks/durabletask/", urls, (request) => keys.allows("system", presentedKey(request.url, request.headers)));
      return {
        handlers: [publicApi],
        async started(server) {
          // The durable client rewrites URLs to localhost:7071 unless the host name is set, as in Azure.
          process.env.WEBSITE_HOSTNAME = `127.0.0.1:${server.port}`;
          const resumed = await engine.recover();
          logger.host("information", `durable: task hub ${settings.hubName}, ${resumed} unfinished instance(s) resumed`);
        },
        async stop() {
          await engine.stop();
          await rpc.stop();
        },
      };
    },
  };
}
