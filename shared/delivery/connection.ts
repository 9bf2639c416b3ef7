import { createHash } from "node:crypto";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { azureResources } from "../config/azure-resources";
import { readConnection } from "../config/connections";
import { PipelineError } from "../errors";
import { isLoopbackHost, type ServiceEndpoint } from "./endpoint";
import { EndpointAuthType } from "./endpoint-options";

/** How to reach an endpoint's Service Bus or Event Hubs namespace. `key` identifies it for client reuse, without its secret. */
export type BrokerConnection =
  | { kind: "connectionString"; connectionString: string; key: string }
  | { kind: "credential"; fullyQualifiedNamespace: string; credential: TokenCredential; key: string };

export type BrokerService = "serviceBus" | "eventHubs";
type Environment = Readonly<Record<string, string | undefined>>;

const fingerprint = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);

function fromConnectionString(connectionString: string): BrokerConnection {
  return { kind: "connectionString", connectionString, key: `cs:${fingerprint(connectionString)}` };
}

function credentialFor(env: Environment, clientId?: string): TokenCredential {
  return new DefaultAzureCredential({ managedIdentityClientId: clientId ?? env[azureResources.appSettings.managedIdentityClientId] });
}

function fromIdentity(fullyQualifiedNamespace: string, env: Environment, clientId?: string): BrokerConnection {
  return { kind: "credential", fullyQualifiedNamespace, credential: credentialFor(env, clientId), key: `mi:${fullyQualifiedNamespace}` };
}

/** `sb://host[:port]/` from namespaceaddress (`sb://…`, `https://…` or a bare host) or solutionnamespace. */
function namespaceHost(endpoint: ServiceEndpoint): string {
  if (endpoint.namespaceaddress) {
    const address = /^[a-z]+:\/\//i.test(endpoint.namespaceaddress) ? endpoint.namespaceaddress : `sb://${endpoint.namespaceaddress}`;
    return new URL(address).host;
  }
  return `${endpoint.solutionnamespace}.servicebus.windows.net`;
}

/** The local broker speaks plain TCP; the SDK only drops TLS for `UseDevelopmentEmulator=true`. */
function endpointPart(host: string): string {
  const hostname = host.replace(/:\d+$/, "");
  return `Endpoint=sb://${host}/${isLoopbackHost(hostname) ? ";UseDevelopmentEmulator=true" : ""}`;
}

/**
 * The connection an endpoint's auth type asks for (§D.3): SAS key or token on its namespace, its own
 * connection string, or (managed identity) the app's identity on its namespace, or with no namespace
 * the app's own connection setting (`ServiceBusConnection` / `EventHubConnection`).
 */
export function brokerConnectionFor(endpoint: ServiceEndpoint, service: BrokerService, env: Environment = process.env): BrokerConnection {
  switch (endpoint.authtype) {
    case EndpointAuthType.SasKey:
      return fromConnectionString(`${endpointPart(namespaceHost(endpoint))};SharedAccessKeyName=${endpoint.saskeyname};SharedAccessKey=${endpoint.saskey}`);
    case EndpointAuthType.SasToken:
      return fromConnectionString(`${endpointPart(namespaceHost(endpoint))};SharedAccessSignature=${endpoint.sastoken}`);
    case EndpointAuthType.ConnectionString:
      return fromConnectionString(endpoint.connectionstring ?? "");
    case EndpointAuthType.ManagedIdentity: {
      if (endpoint.namespaceaddress || endpoint.solutionnamespace) return fromIdentity(namespaceHost(endpoint), env);
      const setting = readConnection(azureResources.connections[service], env);
      if (setting.kind === "connectionString") return fromConnectionString(setting.connectionString);
      if (!setting.fullyQualifiedNamespace) {
        throw new PipelineError("ValidationFailed", `the app's ${azureResources.connections[service]} connection has no fullyQualifiedNamespace`);
      }
      return fromIdentity(setting.fullyQualifiedNamespace, env, setting.clientId);
    }
    default:
      throw new PipelineError("ValidationFailed", `serviceendpoint.authtype: ${endpoint.authtype} cannot reach a ${service === "serviceBus" ? "Service Bus" : "Event Hubs"} namespace`, { path: "authtype" });
  }
}
