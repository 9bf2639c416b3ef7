import { describe, expect, it } from "vitest";
import { BUILTIN_TABLES } from "./builtin-tables";
import { stampSystemColumns, type RowWriter } from "./system-columns";
import type { TableDefinition } from "./tables";

const table = (name: string) => BUILTIN_TABLES.find((t) => t.logicalName === name) as TableDefinition;
const user = (id: string) => ({ id, logicalName: "systemuser" });
const unit = (id: string) => ({ id, logicalName: "businessunit" });
const users = new Map([
  ["ada", { values: { businessunitid: unit("research") } }],
  ["bob", { values: { businessunitid: unit("sales") } }],
]);
const ada: RowWriter = { userId: "ada", at: "2026-11-23T12:00:00Z", users };

describe("system columns", () => {
  it("stamps a create with who and when, and makes the writer owner of a user-owned row in their business unit", () => {
    expect(stampSystemColumns(table("account"), { name: "Contoso" }, ada, { kind: "create" })).toEqual({
      name: "Contoso",
      createdon: ada.at,
      modifiedon: ada.at,
      createdby: user("ada"),
      modifiedby: user("ada"),
      modifiedonbehalfby: null,
      ownerid: user("ada"),
      owningbusinessunit: unit("research"),
    });
  });

  it("keeps a given owner, in the owner's business unit", () => {
    const row = stampSystemColumns(table("account"), { ownerid: user("bob") }, ada, { kind: "create" });
    expect([row.ownerid, row.owningbusinessunit, row.createdby]).toEqual([user("bob"), unit("sales"), user("ada")]);
  });

  it("gives an organization-owned row no owner", () => {
    const row = stampSystemColumns(table("plugintracelog"), {}, ada, { kind: "create" });
    expect(Object.keys(row).sort()).toEqual(["createdby", "createdon", "modifiedby", "modifiedon", "modifiedonbehalfby"]);
  });

  it("stamps an update's modified columns only, and moves the business unit with a new owner", () => {
    const current = { createdon: "2020-01-01T00:00:00Z", createdby: user("bob"), ownerid: user("bob"), owningbusinessunit: unit("sales") };
    const later: RowWriter = { ...ada, at: "2026-11-24T08:00:00Z" };
    const edited = stampSystemColumns(table("account"), { ...current, name: "x" }, later, { kind: "update", written: { name: "x" } });
    expect(edited).toEqual({ ...current, name: "x", modifiedon: later.at, modifiedby: user("ada"), modifiedonbehalfby: null });
    const assigned = stampSystemColumns(table("account"), { ...current, ownerid: user("ada") }, later, { kind: "update", written: { ownerid: user("ada") } });
    expect(assigned.owningbusinessunit).toEqual(unit("research"));
  });

  it("names the delegate of an impersonated writer: createdonbehalfby on a create, modifiedonbehalfby on every write", () => {
    const impersonating: RowWriter = { ...ada, onBehalfOf: "bob" };
    const created = stampSystemColumns(table("account"), {}, impersonating, { kind: "create" });
    expect([created.createdby, created.createdonbehalfby, created.modifiedonbehalfby]).toEqual([user("ada"), user("bob"), user("bob")]);
    const updated = stampSystemColumns(table("account"), { ...created }, ada, { kind: "update", written: {} });
    expect([updated.createdonbehalfby, updated.modifiedonbehalfby]).toEqual([user("bob"), null]);
  });
});
