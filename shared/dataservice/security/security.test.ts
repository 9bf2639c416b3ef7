import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { dataServiceForTests, entityIdOf, uniqueOrganization } from "../../../test/support/data-service";

const org = uniqueOrganization();
const { api } = dataServiceForTests([org]);
const admin = api(org);

/** Creates a user with one role holding `privileges`, returning the user's id and Entra object id. */
async function userWithRole(privileges: string): Promise<{ id: string; objectId: string }> {
  const whoAmI = (await admin("GET", "WhoAmI")).json;
  const objectId = randomUUID();
  const id = entityIdOf(
    await admin("POST", "systemusers", {
      body: { fullname: `User ${privileges}`, azureactivedirectoryobjectid: objectId, "businessunitid@odata.bind": `/businessunits(${whoAmI.BusinessUnitId})` },
    }),
  );
  const roleId = entityIdOf(await admin("POST", "roles", { body: { name: `Role ${privileges}`, privileges } }));
  await admin("POST", "systemuserrolescollection", { body: { "systemuserid@odata.bind": `/systemusers(${id})`, "roleid@odata.bind": `/roles(${roleId})` } });
  return { id, objectId };
}

describe("callers and privileges", () => {
  let reader: { id: string; objectId: string };
  let writer: { id: string; objectId: string };
  let accountId: string;

  beforeAll(async () => {
    reader = await userWithRole("prvReadAccount");
    writer = await userWithRole("prvReadAccount,prvCreateAccount,prvWriteAccount,prvActOnBehalfOfAnotherUser");
    accountId = entityIdOf(await admin("POST", "accounts", { body: { name: "Guarded" } }));
  });

  it("acts as the systemuser matched by x-ms-client-principal-id", async () => {
    const whoAmI = await admin("GET", "WhoAmI", { headers: { "x-ms-client-principal-id": reader.objectId } });
    expect(whoAmI.json.UserId).toBe(reader.id);
  });

  it("refuses each operation the caller's roles do not grant with 403 0x80040220, and changes nothing", async () => {
    const asReader = api(org, { "x-ms-client-principal-id": reader.objectId });
    expect((await asReader("GET", `accounts(${accountId})`)).status).toBe(200);
    const denied = [
      await asReader("POST", "accounts", { body: { name: "Nope" } }),
      await asReader("PATCH", `accounts(${accountId})`, { body: { name: "Nope" } }),
      await asReader("DELETE", `accounts(${accountId})`),
      await asReader("GET", "contacts"),
    ];
    for (const result of denied) {
      expect(result.status).toBe(403);
      expect(result.json.error.code).toBe("0x80040220");
    }
    expect(denied[0].json.error.message).toContain("prvCreateAccount");
    const asWriter = api(org, { "x-ms-client-principal-id": writer.objectId });
    const assign = await asWriter("PATCH", `accounts(${accountId})`, { body: { "ownerid@odata.bind": `/systemusers(${writer.id})` } });
    expect(assign.status).toBe(403);
    expect(assign.json.error.message).toContain("prvAssignAccount");
    expect(denied[3].json.error.message).toContain("prvReadContact");
    const createTable = await asReader("POST", "EntityDefinitions", {
      body: { SchemaName: "new_Secret", Attributes: [{ "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Name", IsPrimaryName: true }] },
    });
    expect(createTable.status).toBe(403);
    expect(createTable.json.error.message).toContain("prvCreateEntity");
    expect((await admin("GET", "EntityDefinitions(LogicalName='new_secret')")).status).toBe(404);
    expect((await admin("GET", `accounts(${accountId})?$select=name`)).json.name).toBe("Guarded");
    expect((await admin("GET", "accounts?$filter=name eq 'Nope'")).json.value).toEqual([]);
  });

  it("answers 401 for an unknown principal, and for no principal when anonymous calls are not allowed", async () => {
    const unknown = await admin("GET", "accounts", { headers: { "x-ms-client-principal-id": randomUUID() } });
    expect(unknown.status).toBe(401);
    const strict = dataServiceForTests([org], { allowAnonymousAsAdmin: false });
    const anonymous = await strict.api(org)("GET", "accounts");
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.code).toBe("0x80072560");
    expect((await strict.api(org)("GET", `accounts(${accountId})`, { headers: { "x-ms-client-principal-id": reader.objectId } })).status).toBe(200);
  });

  it("maps AdministratorObjectId to each organization's administrator when it is provisioned", async () => {
    const objectId = randomUUID();
    const fresh = uniqueOrganization("a");
    const azureLike = dataServiceForTests([fresh], { allowAnonymousAsAdmin: false, administratorObjectId: objectId }).api(fresh, { "x-ms-client-principal-id": objectId });
    const created = await azureLike("POST", "accounts", { body: { name: "By the deployer" }, headers: { Prefer: "return=representation" } });
    expect(created.status).toBe(201);
    const whoAmI = (await azureLike("GET", "WhoAmI")).json;
    expect(created.json._ownerid_value).toBe(whoAmI.UserId);
    expect((await azureLike("GET", `systemusers(${whoAmI.UserId})?$select=fullname,azureactivedirectoryobjectid`)).json).toMatchObject({ fullname: "Administrator", azureactivedirectoryobjectid: objectId });
  });

  it("impersonates with MSCRMCallerID only for users allowed to act on behalf of others", async () => {
    const asWriter = api(org, { "x-ms-client-principal-id": writer.objectId });
    const created = await asWriter("POST", "accounts", { body: { name: "On behalf" }, headers: { MSCRMCallerID: reader.id } });
    // The impersonated reader lacks prvCreateAccount: Dataverse checks the impersonated user's privileges.
    expect(created.status).toBe(403);
    const asAdminForWriter = await admin("POST", "accounts", { body: { name: "For writer" }, headers: { MSCRMCallerID: writer.id, Prefer: "return=representation" } });
    expect(asAdminForWriter.status).toBe(201);
    expect(asAdminForWriter.json._createdby_value).toBe(writer.id);
    expect(asAdminForWriter.json._ownerid_value).toBe(writer.id);
    const asReader = api(org, { "x-ms-client-principal-id": reader.objectId });
    const refused = await asReader("GET", "accounts", { headers: { MSCRMCallerID: writer.id } });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toContain("prvActOnBehalfOfAnotherUser");
  });

  it("refuses to act as a disabled user, by MSCRMCallerID or CallerObjectId, with 400 0x80040225, and changes nothing", async () => {
    const disabled = await userWithRole("prvReadAccount,prvCreateAccount");
    expect((await admin("PATCH", `systemusers(${disabled.id})`, { body: { isdisabled: true } })).status).toBe(204);
    const byId = await admin("POST", "accounts", { body: { name: "As a disabled user" }, headers: { MSCRMCallerID: disabled.id } });
    expect(byId.status).toBe(400);
    expect(byId.json.error).toEqual({ code: "0x80040225", message: expect.stringMatching(new RegExp(`^The user with SystemUserId=${disabled.id} in OrganizationContext=\\S+ is disabled\\.`)) });
    const byObjectId = await admin("GET", "accounts?$select=name", { headers: { CallerObjectId: disabled.objectId } });
    expect([byObjectId.status, byObjectId.json.error.code]).toEqual([400, "0x80040225"]);
    expect((await admin("GET", "accounts?$select=name&$filter=name eq 'As a disabled user'")).json.value).toEqual([]);
  });
});

describe("concurrent updates of one row", () => {
  it("with the same If-Match: exactly one wins, the others get 412, and the row holds the winner's values", async () => {
    const id = entityIdOf(await admin("POST", "accounts", { body: { name: "Race", numberofemployees: 0 } }));
    const etag = (await admin("GET", `accounts(${id})?$select=name`)).json["@odata.etag"] as string;
    const results = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => admin("PATCH", `accounts(${id})`, { body: { name: `Writer ${n}`, numberofemployees: n }, headers: { "If-Match": etag } })),
    );
    const winners = results.flatMap((result, index) => (result.status === 204 ? [index + 1] : []));
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => result.status === 412)).toHaveLength(5);
    const row = (await admin("GET", `accounts(${id})?$select=name,numberofemployees`)).json;
    expect(row).toMatchObject({ name: `Writer ${winners[0]}`, numberofemployees: winners[0] });
  });

  it("without If-Match: every update applies (last writer wins), none is lost half-way", async () => {
    const id = entityIdOf(await admin("POST", "accounts", { body: { name: "Crowd" } }));
    const results = await Promise.all([1, 2, 3].map((n) => admin("PATCH", `accounts(${id})`, { body: { numberofemployees: n, telephone1: `+${n}` } })));
    expect(results.map((result) => result.status)).toEqual([204, 204, 204]);
    const row = (await admin("GET", `accounts(${id})?$select=numberofemployees,telephone1`)).json;
    expect(row.telephone1).toBe(`+${row.numberofemployees}`);
  });
});
