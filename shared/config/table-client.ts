import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { DefaultAzureCredential } from "@azure/identity";
import { azureResources } from "./azure-resources";
import { readConnection } from "./connections";

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * A TableClient on one of the app's tables through the storage connection (`AzureWebJobsStorage`):
 * a connection string locally (Azurite over http), the managed identity in Azure.
 * @throws TypeError when the storage connection is not configured.
 */
export function tableClientFor(tableName: string, env: Environment = process.env, options: TableServiceClientOptions = {}): TableClient {
  const setting = readConnection(azureResources.connections.storage, env);
  if (setting.kind === "connectionString") {
    const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(setting.connectionString);
    return TableClient.fromConnectionString(setting.connectionString, tableName, { ...options, allowInsecureConnection: insecure });
  }
  const serviceUri = setting.serviceUris.table;
  if (!serviceUri) throw new TypeError(`Set ${azureResources.connections.storage}__tableServiceUri or __accountName.`);
  const credential = new DefaultAzureCredential({ managedIdentityClientId: setting.clientId });
  return new TableClient(serviceUri, tableName, credential, options);
}
