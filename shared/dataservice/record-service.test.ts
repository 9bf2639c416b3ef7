import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dataServiceForTests, uniqueOrganization } from "../../test/support/data-service";
import type { TableDefinition } from "./metadata/tables";
import { parseQuery } from "./query/query";
import type { RequestScope } from "./record-service";
import { resolveCaller } from "./security/caller";

const org = uniqueOrganization();
const { service } = dataServiceForTests([org]);

async function adminScope(): Promise<RequestScope> {
  const organization = await service.directory.get(org);
  return { organization, caller: resolveCaller(organization, () => null, true) };
}

describe("RecordService with a caller's unit of work (how the pipeline adds its changes to one commit)", () => {
  it("stages several writes, lets later ones refer to earlier ones, and commits them in one round trip", async () => {
    const scope = await adminScope();
    const account = scope.organization.catalog.table("account") as TableDefinition;
    const contact = scope.organization.catalog.table("contact") as TableDefinition;
    const uow = service.store.beginUnitOfWork(org);
    const accountId = randomUUID();
    await service.records.create(scope, account, { accountid: accountId, name: "Staged" }, { unitOfWork: uow });
    const staged = await service.records.create(scope, contact, { lastname: "Staged", parentcustomerid: { id: accountId, logicalName: "account" } }, { unitOfWork: uow });
    expect(staged.etag).toBe("");
    expect(await service.store.read(org, account, accountId)).toBeUndefined();

    const { roundTrips } = await service.roundTrips.measure(() => uow.commit());
    expect(roundTrips).toBe(1);
    expect((await service.records.retrieve(scope, contact, staged.id)).values.parentcustomerid).toEqual({ id: accountId, logicalName: "account" });
  });

  it("writes nothing of the unit when one of its writes fails at commit", async () => {
    const scope = await adminScope();
    const account = scope.organization.catalog.table("account") as TableDefinition;
    const existing = await service.records.create(scope, account, { name: "Existing" });
    const uow = service.store.beginUnitOfWork(org);
    const fresh = await service.records.create(scope, account, { name: "Fresh" }, { unitOfWork: uow });
    await service.records.update(scope, account, existing.id, { name: "Changed" }, undefined, { unitOfWork: uow });
    await service.records.update(scope, account, existing.id, { name: "Changed" }); // someone else wins the row meanwhile
    await expect(uow.commit()).rejects.toMatchObject({ code: "ConcurrencyConflict" });
    await expect(service.records.retrieve(scope, account, fresh.id)).rejects.toMatchObject({ code: "NotFound" });
  });

  it("reads what the unit staged: creates, updates built on earlier ones, deletes as missing rows; one combined write each", async () => {
    const scope = await adminScope();
    const account = scope.organization.catalog.table("account") as TableDefinition;
    const marker = `uow-${randomUUID().slice(0, 8)}`;
    const stored = await service.records.create(scope, account, { name: "B stored", accountnumber: marker, telephone1: "1" });
    await service.records.create(scope, account, { name: "D stored", accountnumber: marker });
    const uow = service.store.beginUnitOfWork(org);
    const inUnit = { unitOfWork: uow };
    const created = await service.records.create(scope, account, { name: "A staged", accountnumber: marker }, inUnit);
    const dropped = await service.records.create(scope, account, { name: "C staged", accountnumber: marker }, inUnit);
    await service.records.update(scope, account, stored.id, { description: "first" }, undefined, inUnit);
    await service.records.update(scope, account, stored.id, { telephone1: "2" }, undefined, inUnit);
    await service.records.update(scope, account, created.id, { telephone1: "3" }, undefined, inUnit);
    await service.records.delete(scope, account, dropped.id, undefined, inUnit);

    expect((await service.records.retrieve(scope, account, stored.id, inUnit)).values).toMatchObject({ name: "B stored", description: "first", telephone1: "2" });
    expect((await service.records.retrieve(scope, account, created.id, inUnit)).values).toMatchObject({ name: "A staged", telephone1: "3" });
    await expect(service.records.retrieve(scope, account, dropped.id, inUnit)).rejects.toMatchObject({ code: "NotFound" });
    await expect(service.records.update(scope, account, dropped.id, { name: "again" }, undefined, inUnit)).rejects.toMatchObject({ code: "NotFound" });
    const names = async (options: Record<string, string>, size = 10) =>
      (await service.records.retrieveMultiple(scope, account, parseQuery(account, { $filter: `accountnumber eq '${marker}'`, ...options }).query, { size }, inUnit)).records.map((record) => record.values.name);
    expect(await names({})).toEqual(expect.arrayContaining(["A staged", "B stored", "D stored"]));
    expect(await names({ $orderby: "name desc" })).toEqual(["D stored", "B stored", "A staged"]);
    expect(await names({ $orderby: "name", $top: "2" })).toEqual(["A staged", "B stored"]);
    expect(await names({ $orderby: "name" }, 1)).toEqual(["A staged"]);
    expect(await names({ $filter: `accountnumber eq '${marker}' and telephone1 eq '2'` })).toEqual(["B stored"]);

    const { roundTrips } = await service.roundTrips.measure(() => uow.commit());
    expect(roundTrips).toBe(1);
    expect((await service.records.retrieve(scope, account, stored.id)).values).toMatchObject({ description: "first", telephone1: "2" });
    expect((await service.records.retrieve(scope, account, created.id)).values).toMatchObject({ name: "A staged", telephone1: "3" });
    await expect(service.records.retrieve(scope, account, dropped.id)).rejects.toMatchObject({ code: "NotFound" });
  });

  it("keeps the version the unit first read: a row changed by someone else meanwhile fails the commit, however often the unit updated it", async () => {
    const scope = await adminScope();
    const account = scope.organization.catalog.table("account") as TableDefinition;
    const existing = await service.records.create(scope, account, { name: "Twice" });
    const uow = service.store.beginUnitOfWork(org);
    await service.records.update(scope, account, existing.id, { description: "one" }, undefined, { unitOfWork: uow });
    await service.records.update(scope, account, existing.id, { telephone1: "two" }, undefined, { unitOfWork: uow });
    await service.records.update(scope, account, existing.id, { name: "Someone else" });
    await expect(uow.commit()).rejects.toMatchObject({ code: "ConcurrencyConflict" });
    expect((await service.records.retrieve(scope, account, existing.id)).values).toMatchObject({ name: "Someone else", description: null, telephone1: null });
  });

  it("cascades a delete to rows the unit staged: a step created in the unit goes with its endpoint", async () => {
    const scope = await adminScope();
    const endpoint = scope.organization.catalog.table("serviceendpoint") as TableDefinition;
    const step = scope.organization.catalog.table("sdkmessageprocessingstep") as TableDefinition;
    const uow = service.store.beginUnitOfWork(org);
    const created = await service.records.create(scope, endpoint, { name: "Staged endpoint" }, { unitOfWork: uow });
    const staged = await service.records.create(scope, step, { name: "Staged step", eventhandler: { id: created.id, logicalName: "serviceendpoint" } }, { unitOfWork: uow });
    await service.records.delete(scope, endpoint, created.id, undefined, { unitOfWork: uow });
    await expect(service.records.retrieve(scope, step, staged.id, { unitOfWork: uow })).rejects.toMatchObject({ code: "NotFound" });
    await uow.commit();
    await expect(service.records.retrieve(scope, step, staged.id)).rejects.toMatchObject({ code: "NotFound" });
  });
});
