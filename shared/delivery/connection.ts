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
    case EndpointAuthType.ManagedIdentity:
      return endpoint.namespaceaddress || endpoint.solutionnamespace ? fromIdentity(namespaceHost(endpoint), env) : appBrokerConnection(service, env);
    default:
      throw new PipelineError("ValidationFailed", `serviceendpoint.authtype: ${endpoint.authtype} cannot reach a ${service === "serviceBus" ? "Service Bus" : "Event Hubs"} namespace`, { path: "authtype" });
  }
}

/** The app's own connection setting (`ServiceBusConnection` / `EventHubConnection`): a connection string, or its identity on a namespace. */
export function appBrokerConnection(service: BrokerService, env: Environment = process.env): BrokerConnection {
  const setting = readConnection(azureResources.connections[service], env);
  if (setting.kind === "connectionString") return fromConnectionString(setting.connectionString);
  if (!setting.fullyQualifiedNamespace) {
    throw new PipelineError("ValidationFailed", `the app's ${azureResources.connections[service]} connection has no fullyQualifiedNamespace`);
  }
  return fromIdentity(setting.fullyQualifiedNamespace, env, setting.clientId);
}

/**
 * One BrokerConnection per endpoint connection (service, namespace and auth material), made on the first
 * post and reused: a post neither derives a connection string and its key again nor makes a new credential.
 * A changed registration (new SAS key, other namespace) is another connection. Kept in memory only.
 */
export class BrokerConnections {
  private readonly connections = new Map<string, BrokerConnection>();

  constructor(private readonly env: Environment = process.env) {}

  for(endpoint: ServiceEndpoint, service: BrokerService): BrokerConnection {
    const { authtype, namespaceaddress, solutionnamespace, saskeyname, saskey, sastoken, connectionstring } = endpoint;
    const material = JSON.stringify([service, authtype, namespaceaddress, solutionnamespace, saskeyname, saskey, sastoken, connectionstring]);
    let connection = this.connections.get(material);
    if (!connection) {
      connection = brokerConnectionFor(endpoint, service, this.env);
      this.connections.set(material, connection);
    }
    return connection;
  }

  clear(): void {
    this.connections.clear();
  }
}
