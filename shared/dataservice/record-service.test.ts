import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dataServiceForTests, uniqueOrganization } from "../../test/support/data-service";
import type { TableDefinition } from "./metadata/tables";
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
});
