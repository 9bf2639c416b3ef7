import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { DefaultAzureCredential } from "@azure/identity";
import { azureResources } from "../../config/azure-resources";
import { readConnection } from "../../config/connections";
import { PipelineError, toPipelineError } from "../../errors";
import type { RoundTripCounter } from "./round-trips";

/** The one table holding every organization's records and table definitions (partition = organization). */
export const RECORDS_TABLE_NAME = azureResources.tables.records;

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
  let connection: ReturnType<typeof readConnection>;
  try {
    connection = readConnection(azureResources.connections.storage, env);
  } catch (error) {
    throw new PipelineError("ValidationFailed", toPipelineError(error).message, { cause: error });
  }
  if (connection.kind === "connectionString") {
    const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(connection.connectionString);
    return TableClient.fromConnectionString(connection.connectionString, RECORDS_TABLE_NAME, { ...options, allowInsecureConnection: insecure });
  }
  const serviceUri = connection.serviceUris.table;
  if (!serviceUri) {
    throw new PipelineError("ValidationFailed", `Set ${azureResources.connections.storage}__tableServiceUri or __accountName.`);
  }
  const credential = new DefaultAzureCredential({ managedIdentityClientId: connection.clientId });
  return new TableClient(serviceUri, RECORDS_TABLE_NAME, credential, options);
}
