import { parseOptions, runCli, UsageError } from "../../local/util/cli";
import { azureResources } from "../../shared/config/azure-resources";
import { tableClientFor } from "../../shared/config/table-client";
import { ReceiptStore } from "../../shared/listener/receipts";

const USAGE = `usage: AzureWebJobsStorage='<the connection string npm start printed>' npm run -s receipts -- [--source dataverse-events|dataverse-topic/listener] [--correlation-id ID]`;

/** `npm run receipts`: the sample listener's ListenerReceipts rows, one JSON object a line, oldest first. */
async function main(): Promise<void> {
  const options = parseOptions(["source", "correlation-id"]);
  const setting = azureResources.connections.storage;
  let store: ReceiptStore;
  try {
    store = new ReceiptStore(tableClientFor(azureResources.tables.listenerReceipts));
  } catch (error) {
    if (!process.env[setting]) throw new UsageError(`${setting} is not set`);
    throw new UsageError(`${setting} is malformed: it is not a storage connection string like the one npm start prints (${error instanceof Error ? error.message : String(error)})`);
  }
  for (const receipt of await store.list({ source: options.source, correlationId: options["correlation-id"] })) console.log(JSON.stringify(receipt));
}

runCli(main, USAGE);
