import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { AppConfigError } from "./app-config";
import { startHost } from "./host";
import { defaultExtensions } from "./extensions";
import { UsageError, parsePort, parseTimeScale, runCli, stopOnSignals } from "../util/cli";

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
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const port = parsePort(values.port, 7071);
  const timeScale = parseTimeScale(values["time-scale"]);
  const appDir = resolve(values.app ?? process.cwd());
  const host = await startHost({ appDir, port, timeScale, settingsFallbackToExample: values.app === undefined }, defaultExtensions());
  console.log(`Functions host ready on ${host.baseUrl} (${host.functions.length} functions)`);
  stopOnSignals(() => host.stop());
}

runCli(main, USAGE, (error) => error instanceof AppConfigError);
