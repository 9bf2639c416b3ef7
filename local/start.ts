import { resolve } from "node:path";
import { startAzurite } from "./storage/azurite";
import { startServiceBusBroker } from "./servicebus/broker";
import { startHost } from "./host/host";
import { defaultExtensions } from "./host/extensions";
import { AppConfigError } from "./host/app-config";
import { parseDataDir, parseOptions, parsePort, parseTimeScale, runCli, stopOnSignals } from "./util/cli";

const USAGE = "usage: npm start -- [--data DIR] [--port N] [--time-scale N]";

/**
 * `npm start`: the whole local system — Azurite, the Service Bus broker with the project's entities
 * (local/servicebus/config.json), and the Functions host serving the project's app with connection
 * settings pointing at them.
 * Ctrl-C stops everything.
 */
async function main(): Promise<void> {
  const values = parseOptions(["data", "port", "time-scale"]);
  const port = parsePort(values.port, 7071);
  const timeScale = parseTimeScale(values["time-scale"]);
  const dataDir = parseDataDir(values.data);

  console.log("Starting the local Event Pipeline…");
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(error instanceof Error ? error.message : String(error)));
  };
  try {
    const azurite = await startAzurite({ dataDir: dataDir ? `${dataDir}/azurite` : undefined });
    stops.push(() => azurite.stop());
    process.env.AzureWebJobsStorage = azurite.connectionString;

    const broker = await startServiceBusBroker({ config: resolve(__dirname, "../../local/servicebus/config.json"), dataDir: dataDir ? `${dataDir}/servicebus` : undefined });
    stops.push(() => broker.stop());
    process.env.ServiceBusConnection = broker.connectionString;
    process.env.EventHubConnection = broker.eventHubsConnectionString();

    const host = await startHost({ appDir: resolve(__dirname, "../.."), port, timeScale, settingsFallbackToExample: true }, defaultExtensions());
    stops.push(() => host.stop());

    console.log("");
    console.log(`  functions   ${host.baseUrl}/${host.settings.routePrefix ? `${host.settings.routePrefix}/` : ""} (${host.functions.length} functions)`);
    for (const organization of (process.env.Organizations ?? "").split(",").map((name) => name.trim()).filter(Boolean)) {
      console.log(`  web api     ${host.baseUrl}/${organization}/api/data/v9.2/`);
    }
    console.log(`  durable     ${host.baseUrl}/runtime/webhooks/durabletask/instances`);
    console.log(`  storage     AzureWebJobsStorage=${azurite.connectionString}`);
    console.log(`  servicebus  ServiceBusConnection=${broker.connectionString}`);
    console.log(`  eventhubs   EventHubConnection=${broker.eventHubsConnectionString()}`);
    console.log(`  data        ${dataDir ?? "in memory (use --data DIR to keep it)"}`);
    console.log("Ready. Ctrl-C stops everything.");
  } catch (error) {
    await stopAll();
    throw error;
  }
  stopOnSignals(stopAll);
}

runCli(main, USAGE, (error) => error instanceof AppConfigError);
