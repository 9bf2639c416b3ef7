import { randomUUID } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { startTableProxy } from "../../local/storage/table-proxy";
import { RecordStore } from "../dataservice";
import { BUILTIN_TABLES } from "../dataservice/metadata/builtin-tables";
import { createRecordsTableClient } from "../dataservice/store/table-client";
import { Entity, createContext, decimal, double, guid, int64 } from "../model";
import { encodeContextJson, encodeContextXml, encodeTypedContextJson } from "../serialization";
import type { LogEvent } from "../telemetry/structured-log";
import { forgetContext, JobContextStore } from "./job-context-store";

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
    expect(await contexts.readJson(partition, jobId)).toBe(encodeTypedContextJson(context));
    expect((await contexts.read(partition, jobId))?.messageName).toBe("Create");
    expect(await contexts.read(partition, randomUUID())).toBeUndefined();
  });

  it("reads a job's row and its context by point reads (never an `or` across row keys, which Azure serves by scanning the partition, nor a range query, which Azurite serves so), leaving out other jobs' rows", async () => {
    await store.ensureTable();
    const reads: string[] = [];
    const proxy = await startTableProxy(process.env.AzureWebJobsStorage ?? "", (request) => {
      if (request.method === "GET") reads.push(decodeURIComponent(request.url));
      return "forward";
    });
    onTestFinished(() => proxy.close());
    const contexts = new JobContextStore(new RecordStore(createRecordsTableClient({ AzureWebJobsStorage: proxy.connectionString })));
    const jobs = BUILTIN_TABLES.find((table) => table.logicalName === "asyncoperation");
    if (!jobs) throw new Error("no asyncoperation table");
    const [jobId, otherId] = [randomUUID(), randomUUID()];
    const uow = store.beginUnitOfWork(partition);
    uow.create(jobs, jobId, { name: "job" });
    uow.create(jobs, otherId, { name: "other" });
    contexts.stage(uow, jobId, createContext({ messageName: "Update", primaryEntityName: "account" }));
    contexts.stage(uow, otherId, createContext({ messageName: "Delete", primaryEntityName: "account" }));
    await uow.commit();
    const read = await contexts.readWithRecord(partition, jobId, jobs, jobId);
    expect(read.record?.values.name).toBe("job");
    expect(read.context?.messageName).toBe("Update");
    expect(reads.map((url) => url.slice(url.indexOf("Records"))).sort()).toEqual([
      `Records(PartitionKey='${partition}',RowKey='asyncoperationcontext|${jobId}|0000')`,
      `Records(PartitionKey='${partition}',RowKey='asyncoperation|${jobId}')`,
    ]);
    const missing = await contexts.readWithRecord(partition, randomUUID(), jobs, randomUUID());
    expect(missing).toEqual({ record: undefined, context: undefined });
  });

  it("reads a context back with each value's type: its XML post types a Guid guid, an Int64 long, a Double double, a decimal decimal", async () => {
    await store.ensureTable();
    const id = randomUUID();
    const context = createContext({
      messageName: "Create",
      primaryEntityName: "account",
      inputParameters: { Target: new Entity("account", id, { accountid: guid(id), sequence: int64(5), span: double(3), ratio: 2.5, rate: decimal("3") }) },
      outputParameters: { id: guid(id) },
    });
    const jobId = randomUUID();
    const uow = store.beginUnitOfWork(partition);
    contexts.stage(uow, jobId, context);
    await uow.commit();
    const read = (await contexts.read(partition, jobId))!;
    const xml = encodeContextXml(read);
    expect(xml).toBe(encodeContextXml(context));
    const typeOf = (key: string) => new RegExp(`<b:key>${key}</b:key><b:value i:type="([^"]*)"`).exec(xml)?.[1];
    expect(["id", "accountid", "sequence", "span", "ratio", "rate"].map(typeOf)).toEqual(["e:guid", "e:guid", "c:long", "c:double", "c:double", "c:decimal"]);
    expect(encodeContextJson(read)).toBe(encodeContextJson(context));
  });
});

describe("forgetContext", () => {
  it("logs a context it could not delete as a warning with the job, its correlation and the error (credentials masked), and does not fail", async () => {
    const [jobId, correlationId] = [randomUUID(), randomUUID()];
    const logged: LogEvent[] = [];
    const refusing = { delete: () => Promise.reject(new Error("The table refused the batch. SharedAccessSignature=sv-secret")) };

    await expect(forgetContext(refusing, { organization: "contoso", jobId, correlationId }, (event) => void logged.push(event))).resolves.toBeUndefined();

    expect(logged).toEqual([
      {
        event: "systemJobContextNotDeleted",
        severity: "warning",
        message: expect.stringContaining(jobId),
        fields: { organization: "contoso", jobId, correlationId, errorCode: "Internal", errorMessage: "The table refused the batch. SharedAccessSignature=***" },
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain("sv-secret");
  });
});
