import { TableClient } from "@azure/data-tables";
import { describe, expect, it } from "vitest";

describe("test services", () => {
  it("gives the tests a working Azurite table endpoint", async () => {
    const connectionString = process.env.AzureWebJobsStorage;
    expect(connectionString).toMatch(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/);
    const table = TableClient.fromConnectionString(connectionString!, "smoke", { allowInsecureConnection: true });
    await table.createTable();
    await table.upsertEntity({ partitionKey: "p", rowKey: "r", value: 42 });
    const entity = await table.getEntity<{ value: number }>("p", "r");
    expect(entity.value).toBe(42);
  });
});
