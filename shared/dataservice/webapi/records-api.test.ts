import { describe, expect, it } from "vitest";
import { dataServiceForTests, entityIdOf, uniqueOrganization } from "../../../test/support/data-service";

const org = uniqueOrganization();
const { api, call, origin } = dataServiceForTests([org]);
const web = api(org);

describe("Web API record operations", () => {
  it("creates with 204 and OData-EntityId, then retrieves the row with $select, etag and lookups as _x_value", async () => {
    const parent = await web("POST", "accounts", { body: { name: "Parent Ltd" } });
    expect(parent.status).toBe(204);
    expect(parent.headers.get("OData-EntityId")).toMatch(new RegExp(`^${origin}/${org}/api/data/v9.2/accounts\\([0-9a-f-]{36}\\)$`));
    const parentId = entityIdOf(parent);

    const child = await web("POST", "accounts", {
      body: { name: "Child Ltd", revenue: 1000.5, industrycode: 7, numberofemployees: 12, "parentaccountid@odata.bind": `/accounts(${parentId})` },
    });
    const childId = entityIdOf(child);

    const got = await web("GET", `accounts(${childId})?$select=name,revenue,_parentaccountid_value,statecode`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({
      accountid: childId,
      name: "Child Ltd",
      revenue: 1000.5,
      _parentaccountid_value: parentId,
      statecode: 0,
    });
    expect(got.json["@odata.etag"]).toEqual(expect.any(String));
    expect(got.json["@odata.context"]).toBe(`${origin}/${org}/api/data/v9.2/$metadata#accounts(name,revenue,_parentaccountid_value,statecode)/$entity`);
    expect(got.json).not.toHaveProperty("industrycode");
  });

  it("returns 201 with the row under Prefer: return=representation, with system columns filled", async () => {
    const created = await web("POST", "contacts", { body: { firstname: "Ada", lastname: "Lovelace" }, headers: { Prefer: "return=representation" } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ firstname: "Ada", lastname: "Lovelace", fullname: "Ada Lovelace", statecode: 0, statuscode: 1 });
    expect(created.json.createdon).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(created.json._ownerid_value).toEqual(created.json._createdby_value);
    expect(created.json.contactid).toBe(entityIdOf(created));
  });

  it("composes a contact's fullname from firstname and lastname on every write that does not set it", async () => {
    const id = entityIdOf(await web("POST", "contacts", { body: { lastname: "Hopper" } }));
    const fullname = async () => (await web("GET", `contacts(${id})?$select=fullname`)).json.fullname;
    expect(await fullname()).toBe("Hopper");
    await web("PATCH", `contacts(${id})`, { body: { firstname: "Grace" } });
    expect(await fullname()).toBe("Grace Hopper");
    await web("PATCH", `contacts(${id})`, { body: { fullname: "Rear Admiral Hopper", lastname: "Murray Hopper" } });
    expect(await fullname()).toBe("Rear Admiral Hopper");
    await web("PATCH", `contacts(${id})`, { body: { jobtitle: "Admiral" } });
    expect(await fullname()).toBe("Rear Admiral Hopper");
    await web("PATCH", `contacts(${id})`, { body: { firstname: null } });
    expect(await fullname()).toBe("Murray Hopper");
  });

  it("composes a user's fullname from firstname and lastname, as Dataverse computes systemuser.fullname", async () => {
    const created = await web("POST", "systemusers", { body: { firstname: "Alan", lastname: "Turing" }, headers: { Prefer: "return=representation" } });
    expect(created.status).toBe(201);
    expect(created.json.fullname).toBe("Alan Turing");
    await web("PATCH", `systemusers(${entityIdOf(created)})`, { body: { firstname: "A. M." } });
    expect((await web("GET", `systemusers(${entityIdOf(created)})?$select=fullname`)).json.fullname).toBe("A. M. Turing");
  });

  it("adds formatted values and lookup names with Prefer: odata.include-annotations", async () => {
    const parentId = entityIdOf(await web("POST", "accounts", { body: { name: "Annotated Parent" } }));
    const id = entityIdOf(
      await web("POST", "accounts", { body: { name: "Annotated", revenue: 2154.32, industrycode: 7, creditonhold: true, "parentaccountid@odata.bind": `accounts(${parentId})` } }),
    );
    const got = await web("GET", `accounts(${id})`, { headers: { Prefer: 'odata.include-annotations="*"' } });
    expect(got.json["revenue@OData.Community.Display.V1.FormattedValue"]).toBe("$2,154.32");
    expect(got.json["industrycode@OData.Community.Display.V1.FormattedValue"]).toBe("Consulting");
    expect(got.json["creditonhold@OData.Community.Display.V1.FormattedValue"]).toBe("Yes");
    expect(got.json["_parentaccountid_value@OData.Community.Display.V1.FormattedValue"]).toBe("Annotated Parent");
    expect(got.json["_parentaccountid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]).toBe("account");
    expect(got.json["_ownerid_value@OData.Community.Display.V1.FormattedValue"]).toBe("Administrator");
  });

  it("returns only the annotations odata.include-annotations names (a list, a namespace.*), and says so in Preference-Applied", async () => {
    const parentId = entityIdOf(await web("POST", "accounts", { body: { name: "Listed Parent" } }));
    const id = entityIdOf(await web("POST", "accounts", { body: { name: "Listed", industrycode: 7, "parentaccountid@odata.bind": `/accounts(${parentId})` } }));
    const read = (annotations: string) =>
      web("GET", `accounts(${id})?$select=industrycode,_parentaccountid_value`, { headers: { Prefer: `odata.include-annotations="${annotations}"` } });
    const formatted = "OData.Community.Display.V1.FormattedValue";
    const navigation = "Microsoft.Dynamics.CRM.associatednavigationproperty";
    const table = "Microsoft.Dynamics.CRM.lookuplogicalname";

    const lookups = await read(`${navigation},${table}`);
    expect(lookups.json).toMatchObject({ [`_parentaccountid_value@${navigation}`]: "parentaccountid", [`_parentaccountid_value@${table}`]: "account" });
    expect(Object.keys(lookups.json).filter((key) => key.endsWith(formatted))).toEqual([]);
    expect(lookups.headers.get("Preference-Applied")).toBe(`odata.include-annotations="${navigation},${table}"`);

    const crm = await read("Microsoft.Dynamics.CRM.*");
    expect(crm.json[`_parentaccountid_value@${table}`]).toBe("account");
    expect(crm.json).not.toHaveProperty(`industrycode@${formatted}`);

    const formattedOnly = await read(formatted);
    expect(formattedOnly.json).toMatchObject({ [`industrycode@${formatted}`]: "Consulting", [`_parentaccountid_value@${formatted}`]: "Listed Parent" });
    expect(formattedOnly.json).not.toHaveProperty(`_parentaccountid_value@${table}`);

    // Two Prefer values in one header, as clients send them: both honoured, both applied.
    const listed = await web("GET", `accounts?$select=industrycode&$filter=accountid eq ${id}`, { headers: { Prefer: `odata.maxpagesize=1,odata.include-annotations="${formatted}"` } });
    expect(listed.json.value[0][`industrycode@${formatted}`]).toBe("Consulting");
    expect(listed.headers.get("Preference-Applied")).toBe(`odata.maxpagesize=1,odata.include-annotations="${formatted}"`);
  });

  it("names a lookup to several tables by its navigation property for the row's table (parentcustomerid_account), the one a client binds with", async () => {
    const accountId = entityIdOf(await web("POST", "accounts", { body: { name: "Customer Account" } }));
    const personId = entityIdOf(await web("POST", "contacts", { body: { lastname: "Customer Person" } }));
    const id = entityIdOf(await web("POST", "contacts", { body: { lastname: "Customer", "parentcustomerid_account@odata.bind": `/accounts(${accountId})` } }));
    const navigation = async () =>
      (await web("GET", `contacts(${id})?$select=_parentcustomerid_value,_ownerid_value`, { headers: { Prefer: 'odata.include-annotations="*"' } })).json;
    expect(await navigation()).toMatchObject({
      "_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty": "parentcustomerid_account",
      "_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
      "_ownerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty": "ownerid",
    });
    await web("PATCH", `contacts(${id})`, { body: { "parentcustomerid_contact@odata.bind": `/contacts(${personId})` } });
    expect(await navigation()).toMatchObject({ "_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty": "parentcustomerid_contact" });
  });

  it("refuses to bind a row of another table than the navigation property names (an account to parentcustomerid_contact)", async () => {
    const accountId = entityIdOf(await web("POST", "accounts", { body: { name: "Not A Contact" } }));
    const refused = await web("POST", "contacts", { body: { lastname: "Mismatched", "parentcustomerid_contact@odata.bind": `/accounts(${accountId})` } });
    expect([refused.status, refused.json.error]).toEqual([
      400,
      { code: "0x0", message: "'parentcustomerid_contact' refers to a 'contact' row: a row of 'account' (accounts) cannot be bound to it." },
    ]);
    expect((await web("GET", `contacts?$select=lastname&$filter=lastname eq 'Mismatched'`)).json.value).toEqual([]);
  });

  it("binds only through a navigation property $metadata declares: the bare name of a lookup to several tables, its schema name or another case is Dataverse's undeclared-property 400, on POST and PATCH", async () => {
    const accountId = entityIdOf(await web("POST", "accounts", { body: { name: "Bound Nowhere" } }));
    const contactId = entityIdOf(await web("POST", "contacts", { body: { lastname: "Unbound" } }));
    const undeclared = (name: string) => ({
      code: "0x0",
      message: `An error occurred while validating input parameters: Microsoft.OData.ODataException: An undeclared property '${name}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
    });
    for (const name of ["parentcustomerid", "Parentcustomerid", "parentcustomerid_Account", "Parentaccountid"]) {
      const table = name === "Parentaccountid" ? "accounts" : "contacts";
      const body = { [`${name}@odata.bind`]: `/accounts(${accountId})` };
      const created = await web("POST", table, { body: { ...body, [table === "accounts" ? "name" : "lastname"]: `Bound by ${name}` } });
      expect([created.status, created.json?.error], `POST ${name}`).toEqual([400, undeclared(name)]);
      const updated = await web("PATCH", `${table}(${table === "accounts" ? accountId : contactId})`, { body });
      expect([updated.status, updated.json?.error], `PATCH ${name}`).toEqual([400, undeclared(name)]);
      const cleared = await web("PATCH", `contacts(${contactId})`, { body: { [`${name}@odata.bind`]: null } });
      expect(cleared.status, `PATCH ${name} null`).toBe(400);
    }
    expect((await web("GET", `contacts?$select=lastname&$filter=startswith(lastname,'Bound by')`)).json.value).toEqual([]);
    expect((await web("GET", `accounts?$select=name&$filter=startswith(name,'Bound by')`)).json.value).toEqual([]);
    expect((await web("GET", `contacts(${contactId})?$select=_parentcustomerid_value`)).json._parentcustomerid_value).toBeNull();
    expect((await web("GET", `accounts(${accountId})?$select=_parentaccountid_value`)).json._parentaccountid_value).toBeNull();
    // A lookup named by its column with a value points at the navigation properties that set it.
    const byColumn = await web("PATCH", `contacts(${contactId})`, { body: { parentcustomerid: accountId } });
    expect([byColumn.status, byColumn.json.error.message]).toEqual([400, "Set the lookup 'parentcustomerid' with 'parentcustomerid_account@odata.bind' or 'parentcustomerid_contact@odata.bind': '/{entityset}({id})'."]);
  });

  it("disassociates a lookup set to null by its navigation property name, as Dataverse does; a value there is still refused", async () => {
    const parentId = entityIdOf(await web("POST", "accounts", { body: { name: "Former Parent" } }));
    const id = entityIdOf(await web("POST", "accounts", { body: { name: "Former Child", "parentaccountid@odata.bind": `/accounts(${parentId})` } }));
    expect((await web("PATCH", `accounts(${id})`, { body: { parentaccountid: null } })).status).toBe(204);
    expect((await web("GET", `accounts(${id})?$select=_parentaccountid_value`)).json._parentaccountid_value).toBeNull();

    const contactId = entityIdOf(await web("POST", "contacts", { body: { lastname: "Former Customer", "parentcustomerid_account@odata.bind": `/accounts(${parentId})` } }));
    expect((await web("PATCH", `contacts(${contactId})`, { body: { parentcustomerid_account: null } })).status).toBe(204);
    expect((await web("GET", `contacts(${contactId})?$select=_parentcustomerid_value`)).json._parentcustomerid_value).toBeNull();

    const value = await web("PATCH", `accounts(${id})`, { body: { parentaccountid: parentId } });
    expect([value.status, value.json.error.message]).toEqual([400, expect.stringContaining("parentaccountid@odata.bind")]);
    const owner = await web("PATCH", `accounts(${id})`, { body: { ownerid: null } });
    expect([owner.status, owner.json.error.code]).toEqual([400, "0x80040203"]);
    expect((await web("GET", `accounts(${id})?$select=_parentaccountid_value,_ownerid_value`)).json).toMatchObject({ _parentaccountid_value: null, _ownerid_value: expect.any(String) });
  });

  it("answers If-None-Match with the current etag by 304, except when annotations are asked for", async () => {
    const id = entityIdOf(await web("POST", "accounts", { body: { name: "Cached", industrycode: 7 } }));
    const etag = (await web("GET", `accounts(${id})?$select=name`)).json["@odata.etag"];
    expect((await web("GET", `accounts(${id})?$select=name`, { headers: { "If-None-Match": etag } })).status).toBe(304);
    const annotated = await web("GET", `accounts(${id})?$select=industrycode`, { headers: { "If-None-Match": etag, Prefer: 'odata.include-annotations="*"' } });
    expect(annotated.status).toBe(200);
    expect(annotated.json["industrycode@OData.Community.Display.V1.FormattedValue"]).toBe("Consulting");
  });

  it("returns date-times as Dataverse does, UTC whole seconds with Z, from a read and from a PATCH representation alike", async () => {
    const wholeSeconds = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
    const id = entityIdOf(await web("POST", "contacts", { body: { lastname: "Dated", birthdate: "2026-11-23T14:54:50.123Z" } }));
    const got = await web("GET", `contacts(${id})?$select=birthdate,createdon,modifiedon`);
    expect(got.json).toMatchObject({ birthdate: "2026-11-23T14:54:50Z", createdon: expect.stringMatching(wholeSeconds), modifiedon: expect.stringMatching(wholeSeconds) });

    const patched = await web("PATCH", `contacts(${id})`, { body: { jobtitle: "Dater" }, headers: { Prefer: "return=representation" } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ birthdate: "2026-11-23T14:54:50Z", createdon: got.json.createdon, modifiedon: expect.stringMatching(wholeSeconds) });
  });

  it("formats a date-time as en-US Dataverse does: four-digit year, 12-hour clock", async () => {
    const id = entityIdOf(await web("POST", "contacts", { body: { lastname: "Formatted", birthdate: "2026-11-23T14:54:50Z" } }));
    const got = await web("GET", `contacts(${id})?$select=birthdate`, { headers: { Prefer: 'odata.include-annotations="*"' } });
    expect(got.json["birthdate@OData.Community.Display.V1.FormattedValue"]).toBe("11/23/2026 2:54 PM");
  });

  it("updates with PATCH, honours If-Match, and refuses a stale etag with 412", async () => {
    const id = entityIdOf(await web("POST", "accounts", { body: { name: "Before" } }));
    const first = await web("GET", `accounts(${id})?$select=name`);
    const etag = first.json["@odata.etag"] as string;

    const updated = await web("PATCH", `accounts(${id})`, { body: { name: "After" }, headers: { "If-Match": etag, Prefer: "return=representation" } });
    expect(updated.status).toBe(200);
    expect(updated.json.name).toBe("After");
    expect(updated.json["@odata.etag"]).not.toBe(etag);

    const stale = await web("PATCH", `accounts(${id})`, { body: { name: "Stale" }, headers: { "If-Match": etag } });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe("0x80060882");
    expect((await web("GET", `accounts(${id})?$select=name`)).json.name).toBe("After");
  });

  it("PATCH on a missing row upserts, unless If-Match: * forbids it", async () => {
    const id = "6d81597f-0f9f-e711-8122-000d3aa2331c";
    const refused = await web("PATCH", `accounts(${id})`, { body: { name: "x" }, headers: { "If-Match": "*" } });
    expect(refused.status).toBe(404);
    expect(refused.json.error.code).toBe("0x80040217");
    const upserted = await web("PATCH", `accounts(${id})`, { body: { name: "Upserted" } });
    expect(upserted.status).toBe(204);
    expect((await web("GET", `accounts(${id})?$select=name`)).json.name).toBe("Upserted");
    const noUpdate = await web("PATCH", `accounts(${id})`, { body: { name: "Not applied" }, headers: { "If-None-Match": "*" } });
    expect(noUpdate.status).toBe(412);
    expect(noUpdate.json.error.code).toBe("0x80040237");
    expect((await web("GET", `accounts(${id})?$select=name`)).json.name).toBe("Upserted");
  });

  it("deletes a row; retrieving it afterwards is 404 in Dataverse's shape", async () => {
    const id = entityIdOf(await web("POST", "accounts", { body: { name: "Doomed" } }));
    expect((await web("DELETE", `accounts(${id})`)).status).toBe(204);
    const gone = await web("GET", `accounts(${id})`);
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ error: { code: "0x80040217", message: `account With Id = ${id} Does Not Exist` } });
    expect((await web("DELETE", `accounts(${id})`)).status).toBe(404);
  });

  it("refuses a delete with a stale If-Match and keeps the row", async () => {
    const id = entityIdOf(await web("POST", "accounts", { body: { name: "Kept" } }));
    const etag = (await web("GET", `accounts(${id})?$select=name`)).json["@odata.etag"];
    await web("PATCH", `accounts(${id})`, { body: { name: "Kept, changed" } });
    const stale = await web("DELETE", `accounts(${id})`, { headers: { "If-Match": etag } });
    expect(stale.status).toBe(412);
    expect((await web("GET", `accounts(${id})?$select=name`)).json.name).toBe("Kept, changed");
  });

  it("refuses a second row with the same id as a duplicate", async () => {
    const id = entityIdOf(await web("POST", "accounts", { body: { name: "One" } }));
    const again = await web("POST", "accounts", { body: { accountid: id, name: "Two" } });
    expect(again.status).toBe(412);
    expect(again.json.error.code).toBe("0x80040237");
  });

  it("serves the Web API at v9.0 and v9.1 as at v9.2, naming the version asked for; another version is 404", async () => {
    const id = entityIdOf(await web("POST", "accounts", { body: { name: "Versioned" } }));
    for (const version of ["v9.0", "v9.1"]) {
      const base = `${origin}/${org}/api/data/${version}/`;
      const got = await call("GET", `${base}accounts(${id})?$select=name`);
      expect([got.status, got.json.name, got.json["@odata.context"]], version).toEqual([200, "Versioned", `${base}$metadata#accounts(name)/$entity`]);
      const created = await call("POST", `${base}accounts`, { body: { name: `Created at ${version}` } });
      expect(created.headers.get("OData-EntityId"), version).toMatch(new RegExp(`^${base.replace(/[.()]/g, "\\$&")}accounts\\([0-9a-f-]{36}\\)$`));
    }
    expect((await call("GET", `${origin}/${org}/api/data/v8.2/accounts`)).status).toBe(404);
  });

  it("answers an unknown entity set with 404 0x8006088a and an unknown organization with 404", async () => {
    const unknownSet = await web("GET", "Account");
    expect(unknownSet.status).toBe(404);
    expect(unknownSet.json.error).toEqual({ code: "0x8006088a", message: "Resource not found for the segment 'Account'." });
    const unknownOrg = await api("nosuchorg")("GET", "accounts");
    expect(unknownOrg.status).toBe(404);
    expect(unknownOrg.json.error.message).toContain("nosuchorg");
  });

  it("never returns write-only secrets, but reports that they are set", async () => {
    const created = await web("POST", "serviceendpoints", {
      body: { name: "hook", contract: 8, authtype: 4, url: "https://example.invalid/hook", authvalue: "s3cr3t", connectionmode: 1, userclaim: 1 },
      headers: { Prefer: "return=representation" },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.json)).not.toContain("s3cr3t");
    expect(created.json).not.toHaveProperty("authvalue");
    expect(created.json.isauthvalueset).toBe(true);
    const listed = await web("GET", "serviceendpoints?$select=authvalue");
    expect(listed.status).toBe(400);
  });
});
