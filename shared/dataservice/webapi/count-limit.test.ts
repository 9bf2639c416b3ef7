import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { dataServiceForTests, uniqueOrganization } from "../../../test/support/data-service";
import { BUILTIN_TABLES } from "../metadata/builtin-tables";

// Dataverse counts matching rows up to 5,000 (Microsoft Learn, "Count rows using OData"): with more, the
// count says 5,000 and totalrecordcountlimitexceeded says true.
const org = uniqueOrganization("count");
const { api, service } = dataServiceForTests([org]);
const web = api(org);
const ROWS = 5_001;
const annotations = { Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"' };

beforeAll(async () => {
  expect((await web("POST", "accounts", { body: { name: "first" } })).status).toBe(204);
  const accounts = BUILTIN_TABLES.find((table) => table.logicalName === "account")!;
  // Written straight to storage, a transaction of 100 at a time (through the Web API this would take minutes).
  for (let start = 1; start < ROWS; start += 100) {
    const uow = service.store.beginUnitOfWork(org);
    for (let index = start; index < Math.min(start + 100, ROWS); index++) uow.create(accounts, randomUUID(), { name: `account ${index}`, statecode: 0, statuscode: 1 });
    await uow.commit();
  }
}, 120_000);

describe("counting more rows than Dataverse counts", () => {
  it("says 5,000 and that the limit was exceeded", async () => {
    const counted = await web("GET", "accounts?$select=name&$count=true", { headers: { ...annotations, Prefer: `${annotations.Prefer},odata.maxpagesize=1` } });
    expect(counted.status, JSON.stringify(counted.json)).toBe(200);
    expect(counted.json).toMatchObject({ "@odata.count": 5_000, "@Microsoft.Dynamics.CRM.totalrecordcount": 5_000, "@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded": true });
    expect((await web("GET", "accounts/$count")).text).toBe("5000");
  });

  it("counts exactly at or under the limit, which it does not exceed", async () => {
    const filtered = await web("GET", `accounts?$select=name&$count=true&$filter=${encodeURIComponent("name ne 'first'")}`, { headers: { ...annotations, Prefer: `${annotations.Prefer},odata.maxpagesize=1` } });
    expect(filtered.json).toMatchObject({ "@odata.count": 5_000, "@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded": false });
  });
});
