import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seen, type Seen } from "../pipeline/scripted-plugin";
import { idFromHeader, pipelineForTests, registerStep } from "../pipeline/support";
import { uniqueOrganization } from "../support/data-service";

const org = uniqueOrganization("sp");
const { api: apiOf } = pipelineForTests([org]);
const api = apiOf(org);
const stepsSaw = (label: string): Seen[] => (seen.get(org) ?? []).filter((entry) => entry.label === label);

/** `/{set}({id})/{property}`: Dataverse's single-property reads and updates. */
describe("single-property requests", () => {
  let id: string;

  beforeAll(async () => {
    await registerStep(api, { message: "Update", table: "account", stage: 20, script: { label: "pre-update" } });
    await registerStep(api, { message: "Update", table: "account", stage: 20, rank: 2, script: { label: "refuse", onlyIfName: "Refused", throw: "invalid" } });
    id = idFromHeader(await api("POST", "accounts", { body: { name: "Single Ltd", description: "to clear", revenue: 10 } }));
  });

  it("PUT {value} updates that one column through the Update pipeline (204), as a PATCH of it", async () => {
    const put = await api("PUT", `accounts(${id})/name`, { body: { value: "Renamed Ltd" } });
    expect([put.status, put.json]).toEqual([204, undefined]);
    expect(stepsSaw("pre-update").at(-1)).toMatchObject({ stage: 20, target: { name: "Renamed Ltd" } });
    expect(Object.keys(stepsSaw("pre-update").at(-1)!.target as object)).not.toContain("description");
    expect((await api("GET", `accounts(${id})?$select=name,description,revenue`)).json).toMatchObject({ name: "Renamed Ltd", description: "to clear", revenue: 10 });
  });

  it("GET reads one column as {value}, 204 when it is null", async () => {
    const got = await api("GET", `accounts(${id})/revenue`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual({ "@odata.context": `http://127.0.0.1:7071/${org}/api/data/v9.2/$metadata#accounts(${id})/revenue`, value: 10 });
    expect((await api("GET", `accounts(${id})/telephone1`)).status).toBe(204);
  });

  it("DELETE clears one column", async () => {
    expect((await api("DELETE", `accounts(${id})/description`)).status).toBe(204);
    expect((await api("GET", `accounts(${id})?$select=description,name`)).json).toMatchObject({ description: null, name: "Renamed Ltd" });
  });

  it("refuses to clear a column Dataverse requires (statecode, statuscode) with a DELETE or a PUT of null, and keeps it", async () => {
    for (const [method, property] of [["DELETE", "statecode"], ["DELETE", "statuscode"], ["PUT", "statuscode"]]) {
      const cleared = await api(method, `accounts(${id})/${property}`, method === "PUT" ? { body: { value: null } } : {});
      expect([cleared.status, cleared.json?.error], `${method} ${property}`).toEqual([
        400,
        { code: "0x80040203", message: `The '${property}' of the 'account' entity is required (SystemRequired): it cannot be set to null.` },
      ]);
    }
    expect((await api("GET", `accounts(${id})?$select=statecode,statuscode`)).json).toMatchObject({ statecode: 0, statuscode: 1 });
  });

  it("refuses bad input in Dataverse's shape and changes nothing", async () => {
    const unknown = await api("PUT", `accounts(${id})/nosuchcolumn`, { body: { value: "x" } });
    expect([unknown.status, unknown.json.error.message]).toEqual([400, "Could not find a property named 'nosuchcolumn' on type 'Microsoft.Dynamics.CRM.account'."]);
    const wrongType = await api("PUT", `accounts(${id})/revenue`, { body: { value: "ten" } });
    expect(wrongType.status).toBe(400);
    const noValue = await api("PUT", `accounts(${id})/name`, { body: { name: "x" } });
    expect([noValue.status, noValue.json.error.message]).toEqual([400, expect.stringContaining("'value'")]);
    const readOnly = await api("PUT", `accounts(${id})/createdon`, { body: { value: "2026-01-01T00:00:00Z" } });
    expect(readOnly.status).toBe(400);
    const refusedByPlugin = await api("PUT", `accounts(${id})/name`, { body: { value: "Refused" } });
    expect(refusedByPlugin.status).toBe(400);
    expect((await api("GET", `accounts(${id})?$select=name,revenue`)).json).toMatchObject({ name: "Renamed Ltd", revenue: 10 });
  });

  it("GET …/$value reads one column's bare value as text (204 when null); other methods there are 405", async () => {
    const named = await api("GET", `accounts(${id})/name/$value`);
    expect([named.status, named.headers.get("Content-Type"), named.headers.get("OData-Version"), named.text]).toEqual([200, "text/plain; charset=utf-8", "4.0", "Renamed Ltd"]);
    expect((await api("GET", `accounts(${id})/revenue/$value`)).text).toBe("10");
    expect((await api("GET", `accounts(${id})/telephone1/$value`)).status).toBe(204);
    expect((await api("PUT", `accounts(${id})/name/$value`, { body: { value: "x" } })).status).toBe(405);
    expect((await api("GET", `accounts(${id})/name/$other`)).json.error).toEqual({ code: "0x8006088a", message: "Resource not found for the segment '$other'." });
  });

  it("…/{navigation property}/$ref reads, sets (PUT {@odata.id}) and removes (DELETE) a lookup, as an Update through the pipeline", async () => {
    const parentId = idFromHeader(await api("POST", "accounts", { body: { name: "Referenced Ltd" } }));
    const put = await api("PUT", `accounts(${id})/parentaccountid/$ref`, { body: { "@odata.id": `http://127.0.0.1:7071/${org}/api/data/v9.2/accounts(${parentId})` } });
    expect([put.status, put.json]).toEqual([204, undefined]);
    expect(stepsSaw("pre-update").at(-1)).toMatchObject({ stage: 20, target: { parentaccountid: { id: parentId, logicalName: "account" } } });
    const read = await api("GET", `accounts(${id})/parentaccountid/$ref`);
    expect(read.json).toEqual({ "@odata.context": `http://127.0.0.1:7071/${org}/api/data/v9.2/$metadata#$ref`, "@odata.id": `http://127.0.0.1:7071/${org}/api/data/v9.2/accounts(${parentId})` });

    const contactId = idFromHeader(await api("POST", "contacts", { body: { lastname: "Referencing" } }));
    expect((await api("PUT", `contacts(${contactId})/parentcustomerid_account/$ref`, { body: { "@odata.id": `accounts(${parentId})` } })).status).toBe(204);
    expect((await api("GET", `contacts(${contactId})/parentcustomerid_account/$ref`)).json["@odata.id"]).toMatch(new RegExp(`/accounts\\(${parentId}\\)$`));
    expect((await api("GET", `contacts(${contactId})/parentcustomerid_contact/$ref`)).status).toBe(204);

    expect((await api("DELETE", `accounts(${id})/parentaccountid/$ref`)).status).toBe(204);
    expect((await api("GET", `accounts(${id})?$select=_parentaccountid_value`)).json._parentaccountid_value).toBeNull();
    expect((await api("GET", `accounts(${id})/parentaccountid/$ref`)).status).toBe(204);

    const nameBefore = (await api("GET", `accounts(${id})?$select=name`)).json.name as string;
    const noId = await api("PUT", `accounts(${id})/parentaccountid/$ref`, { body: { value: parentId } });
    expect([noId.status, noId.json.error.message]).toEqual([400, expect.stringContaining("'@odata.id'")]);
    const notNavigation = await api("PUT", `accounts(${id})/name/$ref`, { body: { "@odata.id": `accounts(${parentId})` } });
    expect([notNavigation.status, notNavigation.json.error.message]).toEqual([400, "Could not find a property named 'name' on type 'Microsoft.Dynamics.CRM.account'."]);
    // Only a row of this organization's Web API: its URL (any served version) or {set}(id), nothing else that ends like one.
    for (const elsewhere of [`http://127.0.0.1:7071/another/api/data/v9.2/accounts(${parentId})`, `contacts(${contactId})/whatever/accounts(${parentId})`, "nonsense"]) {
      const refused = await api("PUT", `accounts(${id})/parentaccountid/$ref`, { body: { "@odata.id": elsewhere } });
      expect([refused.status, refused.json.error.message], elsewhere).toEqual([400, expect.stringContaining("'@odata.id' must name a row of this organization")]);
    }
    expect((await api("GET", `accounts(${id})?$select=name,_parentaccountid_value`)).json).toMatchObject({ name: nameBefore, _parentaccountid_value: null });
    expect((await api("PUT", `accounts(${id})/parentaccountid/$ref`, { body: { "@odata.id": `http://127.0.0.1:7071/${org}/api/data/v9.0/accounts(${parentId})` } })).status).toBe(204);
    expect((await api("GET", `accounts(${id})?$select=_parentaccountid_value`)).json._parentaccountid_value).toBe(parentId);
    expect((await api("DELETE", `accounts(${id})/parentaccountid/$ref`)).status).toBe(204);
  });

  it("GET of a navigation property reads the row it refers to ($select, etag), 204 when none; PUT or DELETE of it is refused", async () => {
    const primaryId = idFromHeader(await api("POST", "contacts", { body: { firstname: "Rene", lastname: "Valdes" } }));
    await api("PATCH", `accounts(${id})`, { body: { "primarycontactid@odata.bind": `/contacts(${primaryId})` } });
    const contact = await api("GET", `accounts(${id})/primarycontactid?$select=fullname`);
    expect(contact.status).toBe(200);
    expect(contact.json).toEqual({
      "@odata.context": `http://127.0.0.1:7071/${org}/api/data/v9.2/$metadata#contacts(fullname)/$entity`,
      "@odata.etag": expect.any(String),
      fullname: "Rene Valdes",
      contactid: primaryId,
    });
    // Only by the name $metadata declares, case and all: the schema name is no property of the type.
    const bySchemaName = await api("GET", `accounts(${id})/Primarycontactid?$select=fullname`);
    expect([bySchemaName.status, bySchemaName.json.error]).toEqual([400, { code: "0x0", message: "Could not find a property named 'Primarycontactid' on type 'Microsoft.Dynamics.CRM.account'." }]);
    expect((await api("GET", `accounts(${id})/parentaccountid`)).status).toBe(204);
    expect((await api("GET", `accounts(${id})/primarycontactid?$select=nosuchcolumn`)).status).toBe(400);

    const cleared = await api("DELETE", `accounts(${id})/primarycontactid`);
    expect([cleared.status, cleared.json.error.message]).toEqual([400, expect.stringContaining("/primarycontactid/$ref")]);
    expect((await api("GET", `accounts(${id})?$select=_primarycontactid_value`)).json._primarycontactid_value).toBe(primaryId);
  });

  it("takes a navigation property only by the name $metadata declares: the bare name of a lookup to several tables, its schema name or another case is 400 and changes nothing", async () => {
    const accountId = idFromHeader(await api("POST", "accounts", { body: { name: "Declared Parent" } }));
    const contactId = idFromHeader(await api("POST", "contacts", { body: { lastname: "Declared", "parentcustomerid_account@odata.bind": `/accounts(${accountId})` } }));
    const metadata = (await api("GET", "$metadata")).text;
    for (const undeclared of ["parentcustomerid", "Parentcustomerid", "parentcustomerid_Account", "PARENTCUSTOMERID_ACCOUNT"]) {
      expect(metadata, undeclared).not.toContain(`<NavigationProperty Name="${undeclared}"`);
      const unknown = [400, { code: "0x0", message: `Could not find a property named '${undeclared}' on type 'Microsoft.Dynamics.CRM.contact'.` }];
      const answers = [
        await api("GET", `contacts(${contactId})/${undeclared}`),
        await api("DELETE", `contacts(${contactId})/${undeclared}`),
        await api("GET", `contacts(${contactId})/${undeclared}/$ref`),
        await api("PUT", `contacts(${contactId})/${undeclared}/$ref`, { body: { "@odata.id": `contacts(${contactId})` } }),
        await api("DELETE", `contacts(${contactId})/${undeclared}/$ref`),
      ];
      expect(answers.map((answer) => [answer.status, answer.json?.error]), undeclared).toEqual(answers.map(() => unknown));
    }
    expect(metadata).toContain('<NavigationProperty Name="parentcustomerid_account" Type="mscrm.account" Nullable="false">');
    expect((await api("GET", `contacts(${contactId})?$select=_parentcustomerid_value`)).json._parentcustomerid_value).toBe(accountId);
    expect((await api("GET", `contacts(${contactId})/parentcustomerid_account?$select=name`)).json.name).toBe("Declared Parent");
  });

  it("refuses a $ref PUT whose @odata.id names a row of a table the navigation property does not refer to, and keeps the reference", async () => {
    const parentId = idFromHeader(await api("POST", "accounts", { body: { name: "Kept Parent" } }));
    const childId = idFromHeader(await api("POST", "accounts", { body: { name: "Kept Child", "parentaccountid@odata.bind": `/accounts(${parentId})` } }));
    const contactId = idFromHeader(await api("POST", "contacts", { body: { lastname: "Not An Account" } }));
    // A table the lookup cannot refer to at all: the lookup's validation, as for the bind.
    const otherTable = await api("PUT", `accounts(${childId})/parentaccountid/$ref`, { body: { "@odata.id": `contacts(${contactId})` } });
    expect([otherTable.status, otherTable.json.error.code]).toEqual([400, "0x80044331"]);
    expect(otherTable.json.error.message).toContain("cannot refer to a 'contact' record");
    // Another of the lookup's tables than the navigation property names.
    const customerId = idFromHeader(await api("POST", "contacts", { body: { lastname: "Customer Of", "parentcustomerid_account@odata.bind": `/accounts(${parentId})` } }));
    const otherNavigation = await api("PUT", `contacts(${customerId})/parentcustomerid_contact/$ref`, { body: { "@odata.id": `accounts(${parentId})` } });
    expect([otherNavigation.status, otherNavigation.json.error]).toEqual([
      400,
      { code: "0x0", message: "'parentcustomerid_contact' refers to a 'contact' row: a row of 'account' (accounts) cannot be bound to it." },
    ]);
    expect((await api("GET", `accounts(${childId})?$select=_parentaccountid_value`)).json._parentaccountid_value).toBe(parentId);
    expect((await api("GET", `contacts(${customerId})?$select=_parentcustomerid_value`)).json._parentcustomerid_value).toBe(parentId);
  });

  it("answers POST and PATCH on a …/$ref with 405 and changes nothing", async () => {
    const parentId = idFromHeader(await api("POST", "accounts", { body: { name: "Ref Parent" } }));
    const childId = idFromHeader(await api("POST", "accounts", { body: { name: "Ref Child" } }));
    for (const method of ["POST", "PATCH"]) {
      const refused = await api(method, `accounts(${childId})/parentaccountid/$ref`, { body: { "@odata.id": `accounts(${parentId})` } });
      expect([refused.status, refused.json.error.message], method).toEqual([405, `The HTTP method ${method} is not supported on this resource.`]);
    }
    expect((await api("GET", `accounts(${childId})?$select=_parentaccountid_value`)).json._parentaccountid_value).toBeNull();
  });

  it("reads the row a navigation property refers to only with the read privilege on its table; its reference ($ref) with the read privilege on the row's own", async () => {
    const objectId = randomUUID();
    const userId = idFromHeader(await api("POST", "systemusers", { body: { lastname: "Account Reader", azureactivedirectoryobjectid: objectId } }));
    const role = idFromHeader(await api("POST", "roles", { body: { name: "account reader", privileges: "prvReadAccount" } }));
    await api("POST", "systemuserrolescollection", { body: { "systemuserid@odata.bind": `/systemusers(${userId})`, "roleid@odata.bind": `/roles(${role})` } });
    const asReader = { headers: { "x-ms-client-principal-id": objectId } };
    const primaryId = idFromHeader(await api("POST", "contacts", { body: { lastname: "Hidden Contact" } }));
    const accountId = idFromHeader(await api("POST", "accounts", { body: { name: "Visible Account", "primarycontactid@odata.bind": `/contacts(${primaryId})` } }));

    const related = await api("GET", `accounts(${accountId})/primarycontactid`, asReader);
    expect([related.status, related.json.error.message]).toEqual([403, expect.stringContaining("prvReadContact")]);
    const reference = await api("GET", `accounts(${accountId})/primarycontactid/$ref`, asReader);
    expect([reference.status, reference.json["@odata.id"]]).toEqual([200, `http://127.0.0.1:7071/${org}/api/data/v9.2/contacts(${primaryId})`]);
  });

  it("does not upsert: a PUT to a missing row is 404", async () => {
    const missing = await api("PUT", "accounts(00000000-0000-0000-0000-0000000000ab)/name", { body: { value: "x" } });
    expect([missing.status, missing.json.error.code]).toEqual([404, "0x80040217"]);
    expect((await api("GET", "accounts(00000000-0000-0000-0000-0000000000ab)")).status).toBe(404);
  });

  it("answers other methods with 405 in Dataverse's error shape, PUT on a whole row included", async () => {
    const patch = await api("PATCH", `accounts(${id})/name`, { body: { value: "x" } });
    expect([patch.status, patch.json.error.message]).toEqual([405, "The HTTP method PATCH is not supported on this resource."]);
    const putRow = await api("PUT", `accounts(${id})`, { body: { name: "x" } });
    expect([putRow.status, putRow.json.error.message]).toEqual([405, "The HTTP method PUT is not supported on this resource."]);
  });
});
