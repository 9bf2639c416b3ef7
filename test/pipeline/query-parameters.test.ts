import { beforeAll, describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import { seen } from "./scripted-plugin";
import { idFromHeader, pipelineForTests, registerStep } from "./support";

/** One organization per behaviour: each has its own RetrieveMultiple/Retrieve steps on account. */
const orgs = { seeing: uniqueOrganization("qs"), narrowing: uniqueOrganization("qn"), limiting: uniqueOrganization("ql"), columns: uniqueOrganization("qc"), refusing: uniqueOrganization("qr") };
const { api: apiOf } = pipelineForTests(Object.values(orgs));
const api = (org: string) => apiOf(org);

const QUERY = `$select=name&$filter=${encodeURIComponent("name ne 'R3'")}&$orderby=name desc&$top=5`;
const CONTRACTS = "http://schemas.microsoft.com/xrm/2011/Contracts";
const ids: Record<string, string> = {};

async function seedAccounts(org: string): Promise<void> {
  for (const [name, employees] of [["R1", 1], ["R2", 2], ["R3", 3]] as const) {
    const created = await api(org)("POST", "accounts", { body: { name, telephone1: `tel ${name}`, numberofemployees: employees } });
    expect(created.status).toBe(204);
    ids[`${org}/${name}`] = idFromHeader(created);
  }
}

const names = (result: { json: { value: { name: string }[] } }) => result.json.value.map((row) => row.name);
const seenBy = (org: string, label: string) => (seen.get(org) ?? []).filter((entry) => entry.label === label);

beforeAll(async () => {
  await registerStep(api(orgs.seeing), { message: "RetrieveMultiple", table: "account", stage: 20, script: { label: "see-query" } });
  await registerStep(api(orgs.seeing), { message: "Retrieve", table: "account", stage: 20, script: { label: "see-columns" } });
  await registerStep(api(orgs.narrowing), { message: "RetrieveMultiple", table: "account", stage: 20, script: { label: "narrow", query: { addCondition: ["name", 0, "R1"] } } });
  await registerStep(api(orgs.limiting), { message: "RetrieveMultiple", table: "account", stage: 10, script: { label: "limit", query: { topCount: 1 } } });
  await registerStep(api(orgs.columns), { message: "Retrieve", table: "account", stage: 20, script: { label: "columns", columnSet: ["name"] } });
  await registerStep(api(orgs.columns), { message: "Retrieve", table: "account", stage: 40, script: { label: "columns-post" } });
  // ConditionOperator 15 is Today: not one this service runs.
  await registerStep(api(orgs.refusing), { message: "RetrieveMultiple", table: "account", stage: 20, script: { label: "today", query: { addCondition: ["createdon", 15, ""] } } });
  for (const org of Object.values(orgs)) await seedAccounts(org);
});

describe("RetrieveMultiple's Query", () => {
  it("is the QueryExpression of the request's $select, $filter, $orderby and $top, in Dataverse's JSON shape", async () => {
    const list = await api(orgs.seeing)("GET", `accounts?${QUERY}`);
    expect(list.status).toBe(200);
    expect(names(list)).toEqual(["R2", "R1"]);
    expect(seenBy(orgs.seeing, "see-query").at(-1)?.inputs.Query).toEqual({
      __type: `QueryExpression:${CONTRACTS}`,
      ColumnSet: { AllColumns: false, AttributeExpressions: [], Columns: ["name"] },
      Criteria: { Conditions: [{ AttributeName: "name", CompareColumns: false, Operator: 1, Values: ["R3"], EntityName: null }], FilterOperator: 0, Filters: [] },
      Distinct: false,
      EntityName: "account",
      LinkEntities: [],
      Orders: [{ Alias: null, AttributeName: "name", OrderType: 1 }],
      PageInfo: { Count: 0, PageNumber: 0, PagingCookie: null, ReturnTotalRecordCount: false },
      NoLock: false,
      QueryHints: "",
      TopCount: 5,
    });
  });

  it("nests and/or, pushes not down, makes contains a Like and shows the page asked for in PageInfo", async () => {
    const filter = "telephone1 ne null and (name eq 'R1' or contains(name,'2')) and (not (numberofemployees gt 1))";
    const list = await api(orgs.seeing)("GET", `accounts?$filter=${encodeURIComponent(filter)}&$count=true`, { headers: { Prefer: "odata.maxpagesize=2" } });
    expect(names(list)).toEqual(["R1"]);
    const query = seenBy(orgs.seeing, "see-query").at(-1)?.inputs.Query as Record<string, unknown>;
    expect(query.Criteria).toEqual({
      Conditions: [
        { AttributeName: "telephone1", CompareColumns: false, Operator: 13, Values: [], EntityName: null },
        { AttributeName: "numberofemployees", CompareColumns: false, Operator: 5, Values: [1], EntityName: null },
      ],
      FilterOperator: 0,
      Filters: [
        {
          Conditions: [
            { AttributeName: "name", CompareColumns: false, Operator: 0, Values: ["R1"], EntityName: null },
            { AttributeName: "name", CompareColumns: false, Operator: 6, Values: ["%2%"], EntityName: null },
          ],
          FilterOperator: 1,
          Filters: [],
        },
      ],
    });
    expect(query.ColumnSet).toEqual({ AllColumns: true, AttributeExpressions: [], Columns: [] });
    expect(query.PageInfo).toEqual({ Count: 2, PageNumber: 1, PagingCookie: null, ReturnTotalRecordCount: true });
    expect(query).not.toHaveProperty("TopCount");
  });

  it("keeps paging and $count working", async () => {
    const first = await api(orgs.seeing)("GET", "accounts?$select=name&$orderby=name&$count=true", { headers: { Prefer: "odata.maxpagesize=2" } });
    expect(names(first)).toEqual(["R1", "R2"]);
    expect(first.json["@odata.count"]).toBe(3);
    const next = new URL(first.json["@odata.nextLink"] as string);
    const second = await api(orgs.seeing)("GET", `accounts${next.search}`, { headers: { Prefer: "odata.maxpagesize=2" } });
    expect(names(second)).toEqual(["R3"]);
    expect(second.json["@odata.nextLink"]).toBeUndefined();
    expect((seenBy(orgs.seeing, "see-query").at(-1)?.inputs.Query as { PageInfo: unknown }).PageInfo).toEqual({ Count: 2, PageNumber: 2, PagingCookie: null, ReturnTotalRecordCount: true });
  });

  it("runs as a pre-operation step left it: an added condition narrows the result and the count", async () => {
    const list = await api(orgs.narrowing)("GET", `accounts?${QUERY}&$count=true`);
    expect(list.status).toBe(200);
    expect(names(list)).toEqual(["R1"]);
    expect(list.json["@odata.count"]).toBe(1);
  });

  it("runs as a pre-validation step left it: TopCount limits the result", async () => {
    const list = await api(orgs.limiting)("GET", `accounts?${QUERY}`);
    expect(names(list)).toEqual(["R2"]);
    const all = await api(orgs.limiting)("GET", "accounts?$select=name&$orderby=name");
    expect(names(all)).toEqual(["R1"]);
  });

  it("is refused with a 400 naming what a step added that the service cannot run, never run without it", async () => {
    const list = await api(orgs.refusing)("GET", `accounts?${QUERY}`);
    expect(list.status).toBe(400);
    expect(list.json.error.message).toBe("The condition operator Today (on 'createdon') is not supported by this service.");
  });
});

describe("Retrieve's ColumnSet", () => {
  it("is the request's $select (AllColumns without one), next to Target", async () => {
    const id = ids[`${orgs.seeing}/R1`];
    await api(orgs.seeing)("GET", `accounts(${id})?$select=name,telephone1`);
    const selected = seenBy(orgs.seeing, "see-columns").at(-1)!;
    expect(Object.keys(selected.inputs)).toEqual(["Target", "ColumnSet"]);
    expect(selected.inputs.ColumnSet).toEqual({ __type: `ColumnSet:${CONTRACTS}`, AllColumns: false, AttributeExpressions: [], Columns: ["name", "telephone1"] });
    await api(orgs.seeing)("GET", `accounts(${id})`);
    expect(seenBy(orgs.seeing, "see-columns").at(-1)!.inputs.ColumnSet).toEqual({ __type: `ColumnSet:${CONTRACTS}`, AllColumns: true, AttributeExpressions: [], Columns: [] });
  });

  it("decides the columns read and returned when a pre-operation step changes it", async () => {
    const id = ids[`${orgs.columns}/R1`];
    const selected = await api(orgs.columns)("GET", `accounts(${id})?$select=name,telephone1`);
    expect(selected.status).toBe(200);
    expect(selected.json.name).toBe("R1");
    expect(selected.json).not.toHaveProperty("telephone1");
    expect(seenBy(orgs.columns, "columns-post").at(-1)!.businessEntity).toEqual({ name: "R1", accountid: id });
    const all = await api(orgs.columns)("GET", `accounts(${id})`);
    expect(Object.keys(all.json).filter((key) => !key.startsWith("@")).sort()).toEqual(["accountid", "name"]);
  });
});
