import { resolve } from "node:path";
import { AppConfigError } from "./app-config";
import { startHost } from "./host";
import { defaultExtensions } from "./extensions";
import { parseOptions, parsePort, parseTimeScale, runCli, stopOnSignals } from "../util/cli";

const USAGE = "usage: npm run host -- [--app DIR] [--port N] [--time-scale N]";

/**
 * `npm run host -- [--app DIR] [--port N] [--time-scale N]`: the local Functions host alone, with its
 * connection settings (AzureWebJobsStorage, ServiceBusConnection, …) from the environment or the
 * app's local.settings.json.
 */
async function main(): Promise<void> {
  const values = parseOptions(["app", "port", "time-scale"]);
  const port = parsePort(values.port, 7071);
  const timeScale = parseTimeScale(values["time-scale"]);
  const appDir = resolve(values.app ?? process.cwd());
  const host = await startHost({ appDir, port, timeScale, settingsFallbackToExample: values.app === undefined }, defaultExtensions());
  console.log(`Functions host ready on ${host.baseUrl} (${host.functions.length} functions)`);
  stopOnSignals(() => host.stop());
}

runCli(main, USAGE, (error) => error instanceof AppConfigError);
