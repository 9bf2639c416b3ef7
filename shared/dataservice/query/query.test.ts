import { beforeAll, describe, expect, it } from "vitest";
import { dataServiceForTests, entityIdOf, uniqueOrganization } from "../../../test/support/data-service";

const org = uniqueOrganization();
const { api } = dataServiceForTests([org]);
const web = api(org);
let parentId: string;

async function names(query: string): Promise<string[]> {
  const result = await web("GET", `accounts?$select=name&${query}`);
  expect(result.status, JSON.stringify(result.json)).toBe(200);
  return (result.json.value as { name: string }[]).map((row) => row.name).sort();
}

beforeAll(async () => {
  parentId = entityIdOf(await web("POST", "accounts", { body: { name: "Alpha Holdings", revenue: 5000000, industrycode: 16, numberofemployees: 900, creditonhold: false } }));
  const rows = [
    { name: "Bravo Bikes", revenue: 120000.5, industrycode: 32, numberofemployees: 12, creditonhold: true, "parentaccountid@odata.bind": `/accounts(${parentId})` },
    { name: "Charlie's Café", revenue: 45000, industrycode: 13, numberofemployees: 8, emailaddress1: "hello@charlie.example" },
    { name: "Delta Logistics", industrycode: 30, numberofemployees: 310, "parentaccountid@odata.bind": `/accounts(${parentId})`, statecode: 1 },
    { name: "echo consulting", revenue: 98000, industrycode: 7 },
  ];
  for (const body of rows) expect((await web("POST", "accounts", { body })).status).toBe(204);
});

describe("RetrieveMultiple $filter", () => {
  it.each([
    ["name eq 'Bravo Bikes'", ["Bravo Bikes"]],
    ["name eq 'ECHO CONSULTING'", ["echo consulting"]],
    ["name ne 'Bravo Bikes' and revenue ne null", ["Alpha Holdings", "Charlie's Café", "echo consulting"]],
    ["revenue gt 98000", ["Alpha Holdings", "Bravo Bikes"]],
    ["revenue ge 98000 and revenue lt 1000000", ["Bravo Bikes", "echo consulting"]],
    ["revenue le 45000.00", ["Charlie's Café"]],
    ["revenue eq null", ["Delta Logistics"]],
    ["numberofemployees ge 300 or industrycode eq 7", ["Alpha Holdings", "Delta Logistics", "echo consulting"]],
    ["not (numberofemployees lt 100)", ["Alpha Holdings", "Delta Logistics"]],
    ["(industrycode eq 13 or industrycode eq 32) and creditonhold eq true", ["Bravo Bikes"]],
    ["contains(name,'café')", ["Charlie's Café"]],
    ["name eq 'Charlie''s Café'", ["Charlie's Café"]],
    ["startswith(name,'d')", ["Delta Logistics"]],
    ["endswith(name,'ings')", ["Alpha Holdings"]],
    ["not contains(name,'a')", ["echo consulting"]],
    ["not contains(name,'e') or industrycode eq 7", ["Alpha Holdings", "echo consulting"]],
    ["not (industrycode eq 7) and numberofemployees lt 100", ["Bravo Bikes", "Charlie's Café"]],
    ["statecode eq 1", ["Delta Logistics"]],
    ["emailaddress1 ne null", ["Charlie's Café"]],
  ])("%s", async (filter, expected) => {
    expect(await names(`$filter=${encodeURIComponent(filter)}`)).toEqual(expected);
  });

  it("filters lookups by _name_value, dates and guids", async () => {
    expect(await names(`$filter=_parentaccountid_value eq ${parentId}`)).toEqual(["Bravo Bikes", "Delta Logistics"]);
    expect(await names(`$filter=accountid eq ${parentId}`)).toEqual(["Alpha Holdings"]);
    expect(await names(`$filter=createdon ge 2000-01-01T00:00:00Z and createdon lt 2999-01-01`)).toHaveLength(5);
    expect(await names(`$filter=createdon lt 2000-01-01`)).toEqual([]);
  });

  it("refuses an unknown column, a mistyped literal and a malformed expression with 400", async () => {
    for (const filter of ["nosuch eq 1", "numberofemployees eq 'many'", "name eq", "name eq 'x' and"]) {
      const result = await web("GET", `accounts?$filter=${encodeURIComponent(filter)}`);
      expect(result.status, filter).toBe(400);
      expect(result.json.error.code).toBe("0x0");
    }
  });

  it("refuses a date literal that names no moment of the calendar instead of rolling it over", async () => {
    for (const filter of ["createdon lt 2026-02-30", "createdon lt 2026-02-31T00:00:00Z", "createdon lt 2026-01-01T24:00:00Z", "createdon lt 2026-01-01T10:00:60Z"]) {
      const result = await web("GET", `accounts?$filter=${encodeURIComponent(filter)}`);
      expect([result.status, result.json?.error?.code], filter).toEqual([400, "0x0"]);
    }
    expect(await names(`$filter=${encodeURIComponent("createdon lt 2024-02-29T23:59:59Z")}`)).toEqual([]);
  });
});

describe("RetrieveMultiple $select, $orderby, $top, $count and paging", () => {
  it("orders, limits and counts", async () => {
    const result = await web("GET", "accounts?$select=name,numberofemployees&$orderby=numberofemployees desc,name&$top=3&$count=true");
    expect(result.json["@odata.count"]).toBe(5);
    expect(result.json.value.map((row: { name: string }) => row.name)).toEqual(["Alpha Holdings", "Delta Logistics", "Bravo Bikes"]);
    expect(Object.keys(result.json.value[0]).sort()).toEqual(["@odata.etag", "accountid", "name", "numberofemployees"]);
  });

  it("sorts nulls first ascending", async () => {
    const result = await web("GET", "accounts?$select=name&$orderby=revenue asc");
    expect(result.json.value[0].name).toBe("Delta Logistics");
  });

  it("pages with Prefer: odata.maxpagesize and @odata.nextLink until every row was seen once", async () => {
    const seen: string[] = [];
    let url: string | undefined = "accounts?$select=name&$orderby=name";
    let pages = 0;
    while (url) {
      const page = await web("GET", url, { headers: { Prefer: "odata.maxpagesize=2" } });
      expect(page.status).toBe(200);
      expect(page.json.value.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.value.map((row: { name: string }) => row.name));
      url = page.json["@odata.nextLink"];
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(["Alpha Holdings", "Bravo Bikes", "Charlie's Café", "Delta Logistics", "echo consulting"]);
  });

  it("returns $top rows in one page without odata.maxpagesize", async () => {
    const result = await web("GET", "accounts?$select=name&$top=3");
    expect(result.json.value).toHaveLength(3);
    expect(result.json).not.toHaveProperty("@odata.nextLink");
    expect(result.json["@odata.context"]).toMatch(/\$metadata#accounts\(name\)$/);
  });

  it("ignores $top when paging by odata.maxpagesize, as Dataverse documents ('If you include both, $top is ignored')", async () => {
    const seen: string[] = [];
    let url: string | undefined = "accounts?$select=name&$orderby=name&$top=3";
    while (url) {
      const page = await web("GET", url, { headers: { Prefer: "odata.maxpagesize=2" } });
      expect([page.status, page.headers.get("Preference-Applied")]).toEqual([200, "odata.maxpagesize=2"]);
      seen.push(...page.json.value.map((row: { name: string }) => row.name));
      url = page.json["@odata.nextLink"];
    }
    expect(seen).toEqual(["Alpha Holdings", "Bravo Bikes", "Charlie's Café", "Delta Logistics", "echo consulting"]);
  });

  it("ignores an odata.maxpagesize over 5,000 (no Preference-Applied), so $top still applies", async () => {
    const all = await web("GET", "accounts?$select=name", { headers: { Prefer: "odata.maxpagesize=10000" } });
    expect([all.json.value.length, all.headers.get("Preference-Applied")]).toEqual([5, null]);
    const top = await web("GET", "accounts?$select=name&$top=3", { headers: { Prefer: "odata.maxpagesize=10000" } });
    expect([top.json.value.length, top.headers.get("Preference-Applied")]).toEqual([3, null]);
  });

  it("gives an @odata.nextLink that is the request's URL as written, with only $skiptoken added", async () => {
    const query = "$select=name&$filter=startswith(name,'B') or startswith(name,'C') or startswith(name,'D')&$count=true";
    const requested = new URL(`http://127.0.0.1:7071/${org}/api/data/v9.2/accounts?${query}`).href;
    const first = await web("GET", requested, { headers: { Prefer: "odata.maxpagesize=2" } });
    const next = first.json["@odata.nextLink"] as string;
    expect(next).toMatch(new RegExp(`^${requested.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}&\\$skiptoken=[\\w-]+$`));
    const second = await web("GET", next, { headers: { Prefer: "odata.maxpagesize=2" } });
    expect(second.json["@odata.nextLink"]).toBeUndefined();
    expect([...first.json.value, ...second.json.value].map((row: { name: string }) => row.name).sort()).toEqual(["Bravo Bikes", "Charlie's Café", "Delta Logistics"]);
  });

  it("pages in id order without $orderby, honouring $filter", async () => {
    const collected: string[] = [];
    let url: string | undefined = `accounts?$select=name&$filter=${encodeURIComponent("name ne 'Bravo Bikes'")}`;
    const sizes: number[] = [];
    while (url) {
      const page = await web("GET", url, { headers: { Prefer: "odata.maxpagesize=2" } });
      sizes.push(page.json.value.length);
      collected.push(...page.json.value.map((row: { accountid: string; name: string }) => row.name));
      url = page.json["@odata.nextLink"];
    }
    expect(sizes).toEqual([2, 2]);
    expect(collected).not.toContain("Bravo Bikes");
    expect(new Set(collected).size).toBe(4);
    const all = (await web("GET", "accounts?$select=name")).json.value.map((row: { accountid: string }) => row.accountid);
    expect([...all].sort()).toEqual(all);
  });

  it("adds Dataverse's totalrecordcount annotations when asked for (-1 without $count=true)", async () => {
    const prefer = { Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"' };
    const counted = await web("GET", "accounts?$select=name&$count=true", { headers: prefer });
    expect(counted.json).toMatchObject({ "@odata.count": 5, "@Microsoft.Dynamics.CRM.totalrecordcount": 5, "@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded": false });
    expect((await web("GET", "accounts?$select=name", { headers: prefer })).json["@Microsoft.Dynamics.CRM.totalrecordcount"]).toBe(-1);
    expect((await web("GET", "accounts?$select=name&$count=true")).json).not.toHaveProperty("@Microsoft.Dynamics.CRM.totalrecordcount");
  });

  it("answers /$count with the number of rows ($filter applied) as text/plain, as Dataverse does", async () => {
    const all = await web("GET", "accounts/$count");
    expect([all.status, all.headers.get("Content-Type"), all.text]).toEqual([200, "text/plain; charset=utf-8", "5"]);
    expect((await web("GET", `accounts/$count?$filter=${encodeURIComponent("startswith(name,'B') or startswith(name,'C')")}`)).text).toBe("2");
    expect((await web("GET", "accounts/$count?$top=1")).status).toBe(400);
    expect((await web("POST", "accounts/$count", { body: {} })).status).toBe(405);
  });

  it("refuses a $skiptoken it did not issue", async () => {
    expect((await web("GET", "accounts?$skiptoken=bogus")).status).toBe(400);
  });

  it("refuses an unknown $select column and an unsupported query option", async () => {
    expect((await web("GET", "accounts?$select=Name")).json.error.message).toBe("Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.account'.");
    expect((await web("GET", "accounts?$apply=groupby((name))")).status).toBe(400);
  });

  it("refuses a parameter it does not support (fetchXml, savedQuery, userQuery, any other) instead of ignoring it, and a $count other than true or false", async () => {
    const fetchXml = encodeURIComponent('<fetch><entity name="account"><filter><condition attribute="name" operator="eq" value="none"/></filter></entity></fetch>');
    for (const query of [`fetchXml=${fetchXml}`, "savedQuery=00000000-0000-0000-0000-000000000001", "userQuery=00000000-0000-0000-0000-000000000001", "filter=name eq 'x'"]) {
      const result = await web("GET", `accounts?${query}`);
      const name = query.split("=")[0];
      expect([result.status, result.json?.error?.code, result.json?.error?.message], query).toEqual([400, "0x0", expect.stringContaining(`The query parameter ${name} is not supported.`)]);
    }
    const maybe = await web("GET", "accounts?$select=name&$count=maybe");
    expect([maybe.status, maybe.json?.error?.message]).toEqual([400, expect.stringContaining("'maybe' is not a valid count option")]);
    const uncounted = await web("GET", "accounts?$select=name&$count=false&tag=kept");
    expect([uncounted.status, uncounted.json["@odata.count"], uncounted.json.value.length]).toEqual([200, undefined, 5]);
  });
});

describe("$filter on the remaining column types", () => {
  beforeAll(async () => {
    const attribute = (type: string, schemaName: string, extra: Record<string, unknown> = {}) => ({ "@odata.type": `Microsoft.Dynamics.CRM.${type}AttributeMetadata`, SchemaName: schemaName, ...extra });
    const label = (text: string) => ({ LocalizedLabels: [{ Label: text, LanguageCode: 1033 }] });
    const created = await web("POST", "EntityDefinitions", {
      body: {
        SchemaName: "new_Sample",
        OwnershipType: "UserOwned",
        Attributes: [
          attribute("String", "new_Name", { IsPrimaryName: true, MaxLength: 50 }),
          attribute("Memo", "new_Notes", { MaxLength: 5000 }),
          attribute("BigInt", "new_Big"),
          attribute("Decimal", "new_Rate", { Precision: 4 }),
          attribute("Double", "new_Ratio"),
          attribute("MultiSelectPicklist", "new_Tags", { OptionSet: { Options: [1, 2, 3].map((value) => ({ Value: value, Label: label(`Tag ${value}`) })) } }),
        ],
      },
    });
    expect(created.status).toBe(204);
    const rows = [
      { new_name: "s1", new_notes: "Long text about apples", new_big: 9007199254740000, new_rate: 1.2345, new_ratio: 0.5, new_tags: "1,2" },
      { new_name: "s2", new_notes: "Pears only", new_big: -5, new_rate: 10, new_ratio: 2.5e3, new_tags: "3", statecode: 1 },
      { new_name: "s3" },
    ];
    for (const body of rows) expect((await web("POST", "new_samples", { body })).status).toBe(204);
  });

  async function sampleNames(filter: string): Promise<string[]> {
    const result = await web("GET", `new_samples?$select=new_name&$filter=${encodeURIComponent(filter)}`);
    expect(result.status, JSON.stringify(result.json)).toBe(200);
    return (result.json.value as { new_name: string }[]).map((row) => row.new_name).sort();
  }

  it.each([
    ["contains(new_notes,'APPLES')", ["s1"]],
    ["new_big gt 1000000000000", ["s1"]],
    ["new_big lt 0", ["s2"]],
    ["new_rate eq 1.2345", ["s1"]],
    ["new_rate ge 10", ["s2"]],
    ["new_ratio gt 1.5e3", ["s2"]],
    ["new_tags eq '2,1'", ["s1"]],
    ["new_tags eq null", ["s3"]],
    ["statuscode eq 2", ["s2"]],
    ["_ownerid_value ne null", ["s1", "s2", "s3"]],
  ])("%s", async (filter, expected) => {
    expect(await sampleNames(filter)).toEqual(expected);
  });

  it("returns a multi-select value as Dataverse does: a comma list, with labels under annotations", async () => {
    const result = await web("GET", "new_samples?$select=new_tags&$filter=new_name eq 's1'", { headers: { Prefer: 'odata.include-annotations="*"' } });
    expect(result.json.value[0].new_tags).toBe("1,2");
    expect(result.json.value[0]["new_tags@OData.Community.Display.V1.FormattedValue"]).toBe("Tag 1; Tag 2");
  });
});
