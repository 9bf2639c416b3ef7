import { startAzurite } from "./azurite";
import { parseDataDir, parseOptions, runCli, stopOnSignals } from "../util/cli";

const USAGE = "usage: npm run storage -- [--data DIR]";

/** `npm run storage -- [--data DIR]`: Azurite alone, on free loopback ports. */
async function main(): Promise<void> {
  const dataDir = parseDataDir(parseOptions(["data"]).data);
  const azurite = await startAzurite({ dataDir, onOutput: (line) => console.log(`[azurite] ${line}`) });
  console.log(`Azurite (${dataDir ? `persisted in ${dataDir}` : "in memory"}) on 127.0.0.1`);
  console.log(`  blob  http://127.0.0.1:${azurite.blobPort}/devstoreaccount1`);
  console.log(`  queue http://127.0.0.1:${azurite.queuePort}/devstoreaccount1`);
  console.log(`  table http://127.0.0.1:${azurite.tablePort}/devstoreaccount1`);
  console.log(`AzureWebJobsStorage=${azurite.connectionString}`);
  console.log("Ctrl-C stops it.");
  stopOnSignals(() => azurite.stop());
}

runCli(main, USAGE);
