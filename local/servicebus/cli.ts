import { accessSync, constants, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "./config";
import { startServiceBusBroker } from "./broker";
import { startControlServer } from "./control";

const usage = "usage: npm run servicebus -- [--port N] [--eventhubs-port N] [--control-port N] [--config FILE] [--data DIR]";

/** A mistake in the command line: printed with the usage text, exit code 2. */
function usageMistake(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

function portOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usageMistake(`--${name}: "${value}" is not a port number (0-65535)`);
  return port;
}

/** `--data`: the absolute directory, created if need be; a path that cannot be one is a usage mistake. */
// A copy of parseDataDir (local/util/cli.ts), kept in step by hand: the broker imports nothing from local/util, so it stays self-contained.
function dataDirOption(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const dir = resolve(value);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    usageMistake(`--data: "${value}" cannot be used as a data directory (${error instanceof Error ? error.message : String(error)})`);
  }
  return dir;
}

/** `npm run servicebus -- …`: the local Service Bus (and Event Hubs) broker alone, on 127.0.0.1. */
async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { port: { type: "string" }, "eventhubs-port": { type: "string" }, "control-port": { type: "string" }, config: { type: "string" }, data: { type: "string" } } }));
  } catch (error) {
    usageMistake(error instanceof Error ? error.message : String(error));
  }
  const configFile = resolve(values.config ?? `${__dirname}/../../../local/servicebus/config.json`);
  const dataDir = dataDirOption(values.data);
  let broker;
  try {
    broker = await startServiceBusBroker({ port: portOption(values.port, "port"), eventHubsPort: portOption(values["eventhubs-port"], "eventhubs-port"), config: configFile, dataDir });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const control = await startControlServer(broker, portOption(values["control-port"], "control-port") ?? 0);
  console.log(`Local Service Bus (${dataDir ? `messages persisted in ${dataDir}` : "in memory"}), config ${configFile}`);
  // A key from the configuration is a secret: it is not printed (the development default is public).
  const printable = (connectionString: string) => (broker.usesDevelopmentKey ? connectionString : connectionString.replace(/SharedAccessKey=[^;]*/, "SharedAccessKey=<key from the configuration>"));
  console.log(`ServiceBusConnection=${printable(broker.connectionString)}`);
  console.log(`EventHubConnection=${printable(broker.eventHubsConnectionString())}`);
  console.log(`Control API: http://127.0.0.1:${control.port}/ (POST /interrupt?ms=N, POST /resume)`);
  console.log("Ctrl-C stops it.");
  let stopping = false;
  const stop = () => {
    if (stopping) return; // a second signal (SIGHUP, then SIGTERM) while stopping
    stopping = true;
    void Promise.all([broker.stop(), control.stop()]).then(() => process.exit(0));
  };
  // As stopOnSignals (local/util/cli.ts): SIGHUP is the terminal closing.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
