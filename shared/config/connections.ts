/**
 * Reads a connection setting the way the Functions host does: a connection string under `<name>` (local
 * runtime, Azurite, the local broker), or the identity-based form `<name>__*` that `infra/` deploys
 * (no key anywhere). SDK clients built from the result work in both places.
 */

export type StorageService = "blob" | "queue" | "table";

export type ConnectionSetting =
  | { kind: "connectionString"; connectionString: string }
  | {
      kind: "managedIdentity";
      /** Service Bus and Event Hubs: `<namespace>.servicebus.windows.net`. */
      fullyQualifiedNamespace?: string;
      /** Storage: service endpoints, from `__<service>ServiceUri` or built from `__accountName`. */
      serviceUris: Partial<Record<StorageService, string>>;
      /** Client ID of the user-assigned identity; absent for a system-assigned one. */
      clientId?: string;
    };

type Environment = Readonly<Record<string, string | undefined>>;

const STORAGE_SERVICES: readonly StorageService[] = ["blob", "queue", "table"];

/**
 * The connection named `name` in `env`.
 * @throws TypeError when neither form is set, naming the settings it looked for.
 */
export function readConnection(name: string, env: Environment = process.env): ConnectionSetting {
  const connectionString = env[name];
  if (connectionString) return { kind: "connectionString", connectionString };
  const accountName = env[`${name}__accountName`];
  const serviceUris: Partial<Record<StorageService, string>> = {};
  for (const service of STORAGE_SERVICES) {
    const uri = env[`${name}__${service}ServiceUri`] ?? (accountName ? `https://${accountName}.${service}.core.windows.net/` : undefined);
    if (uri) serviceUris[service] = uri;
  }
  const fullyQualifiedNamespace = env[`${name}__fullyQualifiedNamespace`];
  if (!fullyQualifiedNamespace && Object.keys(serviceUris).length === 0) {
    throw new TypeError(
      `connection "${name}" is not configured: set ${name} (a connection string) or ${name}__fullyQualifiedNamespace / ${name}__accountName / ${name}__<service>ServiceUri with ${name}__credential=managedidentity`,
    );
  }
  return { kind: "managedIdentity", fullyQualifiedNamespace, serviceUris, clientId: env[`${name}__clientId`] };
}
