import { describe, expect, test } from "vitest";
import { azureResources } from "./azure-resources";
import { readConnection } from "./connections";

const { serviceBus, storage } = azureResources.connections;

describe("readConnection", () => {
  test("a connection string, as the local runtime sets it", () => {
    const env = { [serviceBus]: "Endpoint=sb://127.0.0.1:5672/;SharedAccessKeyName=local;SharedAccessKey=local;UseDevelopmentEmulator=true" };
    expect(readConnection(serviceBus, env)).toEqual({ kind: "connectionString", connectionString: env[serviceBus] });
  });

  test("the identity-based Service Bus form infra/ deploys", () => {
    const env = {
      [`${serviceBus}__fullyQualifiedNamespace`]: "sb-abc.servicebus.windows.net",
      [`${serviceBus}__credential`]: "managedidentity",
      [`${serviceBus}__clientId`]: "11111111-2222-3333-4444-555555555555",
    };
    expect(readConnection(serviceBus, env)).toEqual({
      kind: "managedIdentity",
      fullyQualifiedNamespace: "sb-abc.servicebus.windows.net",
      serviceUris: {},
      clientId: "11111111-2222-3333-4444-555555555555",
    });
  });

  test("storage service URIs, given or built from the account name", () => {
    const given = readConnection(storage, { [`${storage}__tableServiceUri`]: "https://stabc.table.core.windows.net/" });
    expect(given).toMatchObject({ kind: "managedIdentity", serviceUris: { table: "https://stabc.table.core.windows.net/" } });
    const built = readConnection(storage, { [`${storage}__accountName`]: "stabc" });
    expect(built).toMatchObject({
      serviceUris: {
        blob: "https://stabc.blob.core.windows.net/",
        queue: "https://stabc.queue.core.windows.net/",
        table: "https://stabc.table.core.windows.net/",
      },
    });
  });

  test("neither form names the settings it looked for", () => {
    expect(() => readConnection(serviceBus, {})).toThrow(TypeError);
    expect(() => readConnection(serviceBus, {})).toThrow(/ServiceBusConnection__fullyQualifiedNamespace/);
  });
});
