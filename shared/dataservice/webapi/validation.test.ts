import { describe, expect, it } from "vitest";
import { dataServiceForTests, entityIdOf, uniqueOrganization } from "../../../test/support/data-service";

const org = uniqueOrganization();
const { api } = dataServiceForTests([org]);
const web = api(org);

async function accountCount(): Promise<number> {
  return (await web("GET", "accounts?$count=true&$top=0")).json["@odata.count"];
}

describe("validation on every write: 400 naming the column, nothing written", () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ["a wrong type", { name: "x", numberofemployees: "many" }, "numberofemployees", "0x0"],
    ["an unknown column", { name: "x", nosuchcolumn: 1 }, "nosuchcolumn", "0x0"],
    ["a string over MaxLength", { name: "x".repeat(161) }, "name", "0x80044331"],
    ["an invalid option", { name: "x", industrycode: 999 }, "industrycode", "0x80044331"],
    ["a status outside its state", { name: "x", statecode: 0, statuscode: 2 }, "statuscode", "0x80044331"],
    ["a lookup to a missing row", { name: "x", "parentaccountid@odata.bind": "/accounts(00000000-0000-0000-0000-000000000001)" }, "parentaccountid", "0x80040217"],
    ["a lookup to a table it cannot target", { name: "x", "parentaccountid@odata.bind": "/contacts(00000000-0000-0000-0000-000000000001)" }, "parentaccountid", "0x80044331"],
    ["a read-only column", { name: "x", createdon: "2020-01-01T00:00:00Z" }, "createdon", "0x80040203"],
    ["a bad date", { firstname: "x", birthdate: "yesterday" }, "birthdate", "0x0"],
    ["a day the month does not have", { firstname: "x", birthdate: "2026-02-30" }, "birthdate", "0x0"],
    ["a date-time on a day the month does not have", { firstname: "x", birthdate: "2026-02-31T00:00:00Z" }, "birthdate", "0x0"],
    ["hour 24", { firstname: "x", birthdate: "2026-01-01T24:00:00Z" }, "birthdate", "0x0"],
  ];

  it.each(cases)("refuses %s on create", async (_what, body, column, code) => {
    const set = "birthdate" in body ? "contacts" : "accounts";
    const before = await accountCount();
    const result = await web("POST", set, { body });
    expect(result.status).toBe(400);
    expect(result.json.error.code).toBe(code);
    expect(result.json.error.message).toContain(column);
    expect(await accountCount()).toBe(before);
  });

  it("refuses an invalid update and leaves the row as it was", async () => {
    const id = entityIdOf(await web("POST", "accounts", { body: { name: "Valid", revenue: 10 } }));
    const result = await web("PATCH", `accounts(${id})`, { body: { name: "Changed", revenue: "ten" } });
    expect(result.status).toBe(400);
    expect(result.json.error.message).toContain("revenue");
    expect((await web("GET", `accounts(${id})?$select=name,revenue`)).json).toMatchObject({ name: "Valid", revenue: 10 });
  });

  it("refuses a date that does not exist on update instead of rolling it over, and keeps the stored one", async () => {
    const id = entityIdOf(await web("POST", "contacts", { body: { lastname: "Dated", birthdate: "2024-02-29" } }));
    const result = await web("PATCH", `contacts(${id})`, { body: { birthdate: "2026-02-30" } });
    expect([result.status, result.json?.error?.message]).toEqual([400, expect.stringContaining("birthdate")]);
    expect((await web("GET", `contacts(${id})?$select=birthdate`)).json.birthdate).toBe("2024-02-29T00:00:00Z");
  });

  it("refuses null for a column Dataverse requires (state, status, owner) on update and create, and keeps the row as it was", async () => {
    const id = entityIdOf(await web("POST", "accounts", { body: { name: "Owned" } }));
    const before = (await web("GET", `accounts(${id})?$select=statecode,statuscode,_ownerid_value`)).json;
    expect(before._ownerid_value).toEqual(expect.any(String));
    for (const [body, column] of [[{ statuscode: null }, "statuscode"], [{ statecode: null }, "statecode"], [{ "ownerid@odata.bind": null }, "ownerid"]] as const) {
      const result = await web("PATCH", `accounts(${id})`, { body });
      expect([result.status, result.json?.error?.code, result.json?.error?.message], column).toEqual([400, "0x80040203", expect.stringContaining(`'${column}'`)]);
    }
    expect((await web("GET", `accounts(${id})?$select=statecode,statuscode,_ownerid_value`)).json).toEqual(before);
    const countBefore = await accountCount();
    expect((await web("POST", "accounts", { body: { name: "Stateless", statecode: null } })).status).toBe(400);
    expect(await accountCount()).toBe(countBefore);
  });

  it("refuses a text longer than Table Storage keeps in one property, naming the column", async () => {
    const result = await web("POST", "sdkmessageprocessingsteps", { body: { name: "big", configuration: "x".repeat(40_000) } });
    expect(result.status).toBe(400);
    expect(result.json.error.message).toContain("configuration");
  });

  it("refuses a body that is not JSON", async () => {
    const result = await web("POST", "accounts", { body: "{not json" });
    expect(result.status).toBe(400);
    expect(result.json.error.code).toBe("0x80040216");
  });
});

describe("organizations", () => {
  it("keeps each organization's rows apart", async () => {
    const other = uniqueOrganization("o");
    const both = dataServiceForTests([org, other]);
    const id = entityIdOf(await both.api(org)("POST", "accounts", { body: { name: "Only in the first" } }));
    expect((await both.api(other)("GET", `accounts(${id})`)).status).toBe(404);
    const listed = await both.api(other)("GET", "accounts?$filter=name eq 'Only in the first'");
    expect(listed.json.value).toEqual([]);
    expect((await both.api(org)("GET", `accounts(${id})`)).status).toBe(200);
  });
});
