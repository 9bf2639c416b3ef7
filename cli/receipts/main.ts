import { parseOptions, runCli, UsageError } from "../../local/util/cli";
import { azureResources } from "../../shared/config/azure-resources";
import { tableClientFor } from "../../shared/config/table-client";
import { ReceiptStore } from "../../shared/listener/receipts";

const USAGE = `usage: AzureWebJobsStorage='<the connection string npm start printed>' npm run receipts -- [--source dataverse-events|dataverse-topic/listener] [--correlation-id ID]`;

/** `npm run receipts`: the sample listener's ListenerReceipts rows, one JSON object a line, oldest first. */
async function main(): Promise<void> {
  const options = parseOptions(["source", "correlation-id"]);
  let store: ReceiptStore;
  try {
    store = new ReceiptStore(tableClientFor(azureResources.tables.listenerReceipts));
  } catch {
    throw new UsageError(`${azureResources.connections.storage} is not set`);
  }
  for (const receipt of await store.list({ source: options.source, correlationId: options["correlation-id"] })) console.log(JSON.stringify(receipt));
}

runCli(main, USAGE);
