import { parseArgs } from "node:util";
import { startAzurite } from "./azurite";

/** `npm run storage -- [--data DIR]`: Azurite alone, on free loopback ports. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: "string" } } });
  const azurite = await startAzurite({ dataDir: values.data, onOutput: (line) => console.log(`[azurite] ${line}`) });
  console.log(`Azurite (${values.data ? `persisted in ${values.data}` : "in memory"}) on 127.0.0.1`);
  console.log(`  blob  http://127.0.0.1:${azurite.blobPort}/devstoreaccount1`);
  console.log(`  queue http://127.0.0.1:${azurite.queuePort}/devstoreaccount1`);
  console.log(`  table http://127.0.0.1:${azurite.tablePort}/devstoreaccount1`);
  console.log(`AzureWebJobsStorage=${azurite.connectionString}`);
  console.log("Ctrl-C stops it.");
  const stop = () => void azurite.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
