import { join } from "node:path";
import { startServiceBusBroker } from "./servicebus/broker";
import { startAzurite } from "./storage/azurite";

/**
 * `npm start`: brings the local system up. Today: Azurite. The local Functions host and the
 * Service Bus broker join here as they land (see issues 3 and 4).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dataIndex = args.indexOf("--data");
  const dataDir = dataIndex >= 0 ? args[dataIndex + 1] : undefined;
  console.log("Starting the local Event Pipeline…");
  const azurite = await startAzurite({ dataDir: dataDir ? `${dataDir}/azurite` : undefined });
  console.log(`  storage   AzureWebJobsStorage=${azurite.connectionString}`);
  const serviceBus = await startServiceBusBroker({
    config: join(__dirname, "..", "..", "local", "servicebus", "config.json"),
    dataDir: dataDir ? `${dataDir}/servicebus` : undefined,
  });
  console.log(`  messages  ServiceBusConnection=${serviceBus.connectionString}`);
  console.log(`  events    EventHubConnection=${serviceBus.eventHubsConnectionString()}`);
  console.log("Ready. Ctrl-C stops everything.");
  const stop = () => void Promise.all([serviceBus.stop(), azurite.stop()]).then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
