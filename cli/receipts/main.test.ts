import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { azureResources } from "../../shared/config/azure-resources";
import { tableClientFor } from "../../shared/config/table-client";
import { receiptFor, ReceiptStore } from "../../shared/listener/receipts";
import { accountCreated } from "../../test/support/delivery";

const CLI = resolve(__dirname, "../../dist/cli/receipts/main.js");
const run = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [CLI, ...args], { env, encoding: "utf8" });

describe("npm run receipts", () => {
  it("prints the sample listener's ListenerReceipts rows of a source and correlation id, one JSON object a line", async () => {
    const context = { ...accountCreated(), correlationId: randomUUID() };
    const source = "dataverse-topic/listener";
    const receivedOn = new Date("2026-01-02T03:04:05.000Z");
    const receipt = receiptFor(context, { source, messageId: context.operationId, contentType: "application/json", truncated: false, deliveryCount: 1 }, receivedOn);
    await new ReceiptStore(tableClientFor(azureResources.tables.listenerReceipts)).record(receipt);

    const result = run(["--source", source, "--correlation-id", context.correlationId]);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual([{ ...receipt, receivedOn: receivedOn.toISOString() }]);
  });

  it("says what is missing or wrong: the storage connection (unset or malformed), or a known option", () => {
    const { AzureWebJobsStorage: _storage, ...withoutStorage } = process.env;
    void _storage;
    const unset = run([], withoutStorage);
    expect([unset.status, unset.stderr.split("\n")[0]]).toEqual([2, "AzureWebJobsStorage is not set"]);
    expect(run(["--table", "x"]).status).toBe(2);
    const malformed = run([], { ...withoutStorage, AzureWebJobsStorage: "garbage" });
    expect(malformed.status).toBe(2);
    expect(malformed.stderr.split("\n")[0]).toMatch(/^AzureWebJobsStorage is malformed: it is not a storage connection string/);
  });
});
