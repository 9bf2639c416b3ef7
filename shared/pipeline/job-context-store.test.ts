import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { RecordStore } from "../dataservice";
import { createRecordsTableClient } from "../dataservice/store/table-client";
import { Entity, createContext } from "../model";
import { encodeContextJson } from "../serialization";
import { JobContextStore } from "./job-context-store";

const store = new RecordStore(createRecordsTableClient(process.env));
const contexts = new JobContextStore(store);
const partition = `jc${randomUUID().slice(0, 8)}`;

describe("JobContextStore", () => {
  it("stores a context over the 64 KiB property limit in parts and reads back the same JSON", async () => {
    await store.ensureTable();
    const context = createContext({
      messageName: "Create",
      primaryEntityName: "account",
      inputParameters: { Target: new Entity("account", randomUUID(), { description: "é".repeat(70_000) }) },
    });
    const jobId = randomUUID();
    const uow = store.beginUnitOfWork(partition);
    contexts.stage(uow, jobId, context);
    expect(uow.size).toBe(3);
    await uow.commit();
    expect(await contexts.readJson(partition, jobId)).toBe(encodeContextJson(context));
    expect((await contexts.read(partition, jobId))?.messageName).toBe("Create");
    expect(await contexts.read(partition, randomUUID())).toBeUndefined();
  });
});
