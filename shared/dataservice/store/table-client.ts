import type { TableClient, TableServiceClientOptions } from "@azure/data-tables";
import { azureResources } from "../../config/azure-resources";
import { tableClientFor } from "../../config/table-client";
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
  try {
    return tableClientFor(RECORDS_TABLE_NAME, env, options);
  } catch (error) {
    throw new PipelineError("ValidationFailed", toPipelineError(error).message, { cause: error });
  }
}
