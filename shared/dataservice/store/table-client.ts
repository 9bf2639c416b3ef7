import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { DefaultAzureCredential } from "@azure/identity";
import { PipelineError } from "../../errors";
import type { RoundTripCounter } from "./round-trips";

/** The one table holding every organization's records and table definitions (partition = organization); shared/config/azure-resources.ts tables.records. */
export const RECORDS_TABLE_NAME = "Records";

/**
 * A TableClient on the records table from the Functions storage settings: `AzureWebJobsStorage` as a
 * connection string (Azurite locally), or identity-based `AzureWebJobsStorage__tableServiceUri` /
 * `AzureWebJobsStorage__accountName` with managed identity in Azure.
 */
export function createRecordsTableClient(
  env: Record<string, string | undefined> = process.env,
  counter?: RoundTripCounter,
): TableClient {
  const options: TableServiceClientOptions = {
    additionalPolicies: counter ? [{ policy: counter.policy(), position: "perRetry" }] : [],
  };
  const connectionString = env.AzureWebJobsStorage;
  if (connectionString) {
    const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(connectionString);
    return TableClient.fromConnectionString(connectionString, RECORDS_TABLE_NAME, { ...options, allowInsecureConnection: insecure });
  }
  const serviceUri =
    env.AzureWebJobsStorage__tableServiceUri ??
    (env.AzureWebJobsStorage__accountName ? `https://${env.AzureWebJobsStorage__accountName}.table.core.windows.net` : undefined);
  if (!serviceUri) {
    throw new PipelineError("ValidationFailed", "Set AzureWebJobsStorage or AzureWebJobsStorage__tableServiceUri/__accountName.");
  }
  const credential = new DefaultAzureCredential({ managedIdentityClientId: env.AzureWebJobsStorage__clientId });
  return new TableClient(serviceUri, RECORDS_TABLE_NAME, credential, options);
}
