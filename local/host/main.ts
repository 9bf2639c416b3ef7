import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { AppConfigError } from "./app-config";
import { startHost } from "./host";
import { defaultExtensions } from "./extensions";

const USAGE = "usage: npm run host -- [--app DIR] [--port N] [--time-scale N]";

/**
 * `npm run host -- [--app DIR] [--port N] [--time-scale N]`: the local Functions host alone, with its
 * connection settings (AzureWebJobsStorage, ServiceBusConnection, …) from the environment or the
 * app's local.settings.json.
 */
async function main(): Promise<void> {
  let values: { app?: string; port?: string; "time-scale"?: string };
  try {
    ({ values } = parseArgs({ options: { app: { type: "string" }, port: { type: "string" }, "time-scale": { type: "string" } } }));
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
  const port = values.port === undefined ? 7071 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usageError(`--port: "${values.port}" is not a port number`);
  const timeScale = values["time-scale"] === undefined ? undefined : Number(values["time-scale"]);
  if (timeScale !== undefined && !(timeScale > 0)) usageError(`--time-scale: "${values["time-scale"]}" must be a positive number`);
  if (timeScale !== undefined) process.env.DURABLE_TIME_SCALE = String(timeScale);
  const appDir = resolve(values.app ?? process.cwd());
  const host = await startHost({ appDir, port, settingsFallbackToExample: values.app === undefined }, defaultExtensions());
  console.log(`Functions host ready on ${host.baseUrl} (${host.functions.length} functions)`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void host.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(error instanceof AppConfigError ? 2 : 1);
});
