import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import { seen } from "./scripted-plugin";
import { idFromHeader, pipelineForTests, registerStep } from "./support";

const org = uniqueOrganization("pf");
const { api: apiOf } = pipelineForTests([org]);
const api = apiOf(org);
const entries = (label: string) => (seen.get(org) ?? []).filter((entry) => entry.label === label);

/** A user with a role of `privileges`, and the headers of a request App Service Authentication signed in as them. */
async function signedInUser(name: string, privileges: string): Promise<{ id: string; headers: Record<string, string> }> {
  const objectId = randomUUID();
  const id = idFromHeader(await api("POST", "systemusers", { body: { lastname: name, azureactivedirectoryobjectid: objectId } }));
  const role = idFromHeader(await api("POST", "roles", { body: { name: `${name} role`, privileges } }));
  await api("POST", "systemuserrolescollection", { body: { "systemuserid@odata.bind": `/systemusers(${id})`, "roleid@odata.bind": `/roles(${role})` } });
  return { id, headers: { "x-ms-client-principal-id": objectId } };
}

describe("the organization service factory a plug-in gets", () => {
  let administrator: string;
  let caller: { id: string; headers: Record<string, string> };

  beforeAll(async () => {
    administrator = (await api("GET", "WhoAmI")).json.UserId;
    // The caller may create contacts only; its contact steps create accounts through the factory's services.
    caller = await signedInUser("Contact Maker", "prvCreateContact");
    await registerStep(api, { message: "Create", table: "contact", stage: 40, script: { label: "as system", createAccount: "made as SYSTEM", serviceFor: "system" }, name: "as system" });
    await registerStep(api, { message: "Create", table: "account", stage: 20, script: { label: "nested", trace: "nested" } });
  });

  it("acts as SYSTEM for null (here the administrator), one level deeper on the same correlation, the caller still initiating", async () => {
    const result = await api("POST", "contacts", { body: { lastname: "Needs an account" }, headers: caller.headers });
    expect(result.status).toBe(204);
    const [outer] = entries("as system");
    const [nested] = entries("nested");
    expect([outer.userId, outer.initiatingUserId, outer.depth]).toEqual([caller.id, caller.id, 1]);
    expect([nested.userId, nested.initiatingUserId, nested.depth, nested.correlationId]).toEqual([administrator, caller.id, 2, outer.correlationId]);
    const account = (await api("GET", "accounts?$filter=name eq 'made as SYSTEM'&$select=_createdby_value")).json.value;
    expect(account.map((row: Record<string, string>) => row._createdby_value)).toEqual([administrator]);
  });
});

describe("the organization service for a user id", () => {
  const other = uniqueOrganization("pg");
  const otherApi = pipelineForTests([other]).api(other);
  const stepFor = (serviceFor: string, label: string) =>
    registerStep(otherApi, { message: "Create", table: "account", stage: 40, script: { label, onlyIfName: label, createAccount: `made by ${label}`, serviceFor } });

  it("acts as that user (who needs the privileges), as the context's UserId is the step's own, and refuses an unknown user", async () => {
    const writerId = idFromHeader(await otherApi("POST", "systemusers", { body: { lastname: "Writer" } }));
    const role = idFromHeader(await otherApi("POST", "roles", { body: { name: "writer", privileges: "prvCreateAccount" } }));
    await otherApi("POST", "systemuserrolescollection", { body: { "systemuserid@odata.bind": `/systemusers(${writerId})`, "roleid@odata.bind": `/roles(${role})` } });
    const noRoles = idFromHeader(await otherApi("POST", "systemusers", { body: { lastname: "Nobody" } }));
    const unknown = randomUUID();
    await stepFor(writerId, "writer");
    await stepFor(noRoles, "nobody");
    await stepFor(unknown, "unknown");
    await stepFor("context", "context");
    await stepFor("empty", "empty");

    expect((await otherApi("POST", "accounts", { body: { name: "writer" } })).status).toBe(204);
    const made = (await otherApi("GET", "accounts?$filter=name eq 'made by writer'&$select=_createdby_value")).json.value;
    expect(made.map((row: Record<string, string>) => row._createdby_value)).toEqual([writerId]);

    const refused = await otherApi("POST", "accounts", { body: { name: "nobody" } });
    expect([refused.status, refused.json.error.code]).toEqual([403, "0x80040220"]);
    expect(refused.json.error.message).toContain(`Principal user (Id=${noRoles}`);

    const missing = await otherApi("POST", "accounts", { body: { name: "unknown" } });
    expect([missing.status, missing.json.error.message]).toEqual([404, `systemuser With Id = ${unknown} Does Not Exist`]);
    expect((await otherApi("GET", "accounts?$filter=name eq 'nobody' or name eq 'unknown'")).json.value).toEqual([]);

    for (const own of ["context", "empty"]) {
      expect((await otherApi("POST", "accounts", { body: { name: own } })).status).toBe(204);
      expect((await otherApi("GET", `accounts?$filter=name eq 'made by ${own}'&$select=name`)).json.value).toHaveLength(1);
    }
  });
});
