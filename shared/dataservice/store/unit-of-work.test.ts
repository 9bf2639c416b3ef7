import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TableCatalog } from "../metadata/catalog";
import type { TableDefinition } from "../metadata/tables";
import { RecordStore } from "./record-store";
import { RoundTripCounter } from "./round-trips";
import { createRecordsTableClient } from "./table-client";
import { MAX_OPERATIONS_PER_COMMIT } from "./unit-of-work";

const counter = new RoundTripCounter();
const store = new RecordStore(createRecordsTableClient(process.env, counter));
const account = new TableCatalog().table("account") as TableDefinition;
const partition = `uow${randomUUID().slice(0, 8)}`;

describe("UnitOfWork", () => {
  it("commits several rows in one round trip and returns their etags", async () => {
    await store.ensureTable();
    const uow = store.beginUnitOfWork(partition);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    ids.forEach((id, n) => uow.create(account, id, { name: `Batch ${n}`, revenue: "1.50" }));
    const { result: etags, roundTrips } = await counter.measure(() => uow.commit());
    expect(roundTrips).toBe(1);
    expect(etags.size).toBe(3);
    const stored = await store.read(partition, account, ids[0]);
    expect(stored?.values).toMatchObject({ name: "Batch 0", revenue: "1.50" });
  });

  it("writes nothing when one operation of the batch fails", async () => {
    const existing = randomUUID();
    const first = store.beginUnitOfWork(partition);
    first.create(account, existing, { name: "Existing" });
    await first.commit();

    const fresh = randomUUID();
    const uow = store.beginUnitOfWork(partition);
    uow.create(account, fresh, { name: "Would be new" });
    uow.create(account, existing, { name: "Duplicate" });
    await expect(uow.commit()).rejects.toMatchObject({ code: "Duplicate" });
    expect(await store.read(partition, account, fresh)).toBeUndefined();
    expect((await store.read(partition, account, existing))?.values.name).toBe("Existing");
  });

  it("refuses more operations than one entity-group transaction holds, before sending anything", async () => {
    const uow = store.beginUnitOfWork(partition);
    for (let n = 0; n <= MAX_OPERATIONS_PER_COMMIT; n++) uow.create(account, randomUUID(), { name: `Row ${n}` });
    const { roundTrips } = await counter.measure(() => expect(uow.commit()).rejects.toMatchObject({ code: "ValidationFailed" }));
    expect(roundTrips).toBe(0);
  });
});

describe("UnitOfWork follow-ups", () => {
  it("runs the success hooks of a unit whose changes cancel out (nothing to send is a commit that succeeded)", async () => {
    const id = randomUUID();
    const uow = store.beginUnitOfWork(partition);
    const ran: string[] = [];
    uow.whenCommitted(() => ran.push("committed"));
    uow.whenSucceeded(() => ran.push("succeeded"));
    uow.create(account, id, { name: "Gone" });
    uow.delete(account, id, "ignored");
    const { roundTrips } = await counter.measure(() => uow.commit());
    expect([roundTrips, ran]).toEqual([0, ["committed", "succeeded"]]);
  });
});

describe("UnitOfWork folding several changes of one row", () => {
  it("commits create-then-update as one create, and create-then-delete as nothing", async () => {
    const [kept, dropped] = [randomUUID(), randomUUID()];
    const uow = store.beginUnitOfWork(partition);
    uow.create(account, kept, { name: "First" });
    uow.replace(account, kept, { name: "Second" }, "ignored");
    uow.create(account, dropped, { name: "Gone" });
    uow.delete(account, dropped, "ignored");
    expect(uow.size).toBe(1);
    await uow.commit();
    expect((await store.read(partition, account, kept))?.values.name).toBe("Second");
    expect(await store.read(partition, account, dropped)).toBeUndefined();
  });

  it("keeps the first expected version when an existing row is replaced twice", async () => {
    const id = randomUUID();
    const first = store.beginUnitOfWork(partition);
    first.create(account, id, { name: "Original" });
    const etag = (await first.commit()).get(`account|${id}`) as string;
    const uow = store.beginUnitOfWork(partition);
    uow.replace(account, id, { name: "One" }, etag);
    uow.replace(account, id, { name: "Two" }, "W/\"not-the-first\"");
    await uow.commit();
    expect((await store.read(partition, account, id))?.values.name).toBe("Two");
  });

  it("refuses to create one row twice", () => {
    const uow = store.beginUnitOfWork(partition);
    const id = randomUUID();
    uow.create(account, id, { name: "a" });
    expect(() => uow.create(account, id, { name: "b" })).toThrow(/created twice/);
  });
});
