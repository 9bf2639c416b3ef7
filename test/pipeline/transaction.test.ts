import { beforeAll, describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import { eventually } from "../host/run-host";
import { seen } from "./scripted-plugin";
import { idFromHeader, pipelineForTests, registerStep } from "./support";

const org = uniqueOrganization("pt");
const slowOrg = uniqueOrganization("ps");
/** An organization with only the steps a test registers in it. */
const deepOrg = uniqueOrganization("pd");
const { api: apiOf, service } = pipelineForTests([org, deepOrg]);
const api = apiOf(org);
const entries = (organization: string, label: string) => (seen.get(organization) ?? []).filter((entry) => entry.label === label);

async function accountsNamed(name: string, call = api): Promise<number> {
  const result = await call("GET", `accounts?$filter=name eq '${name}'&$select=name`);
  return result.json.value.length;
}

async function jobCount(call = api): Promise<number> {
  return (await call("GET", "asyncoperations?$select=name")).json.value.length;
}

describe("one transaction", () => {
  beforeAll(async () => {
    await registerStep(api, { message: "Create", table: "account", stage: 10, script: { label: "v", onlyIfName: "fail-10", throw: "invalid" } });
    await registerStep(api, { message: "Create", table: "account", stage: 20, script: { label: "p", onlyIfName: "fail-20", throw: "invalid" } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, rank: 1, script: { label: "nest", onlyIfName: "fail-40", createAccount: "nested of fail-40" } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, rank: 2, script: { label: "o", onlyIfName: "fail-40", throw: "invalid" } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, script: { label: "unexpected", onlyIfName: "fail-unexpected", throw: "error" } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, script: { label: "async" } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, script: { label: "parent", onlyIfName: "parent", createAccount: "child" } });
    await registerStep(api, { message: "Create", table: "account", stage: 20, script: { label: "child-pre", onlyIfName: "child" } });
    await registerStep(api, { message: "Update", table: "account", stage: 40, script: { label: "loop", updateAgain: true } });
    await registerStep(api, { message: "Create", table: "account", stage: 10, script: { label: "outside", onlyIfName: "validated then cancelled", createAccount: "written outside the transaction" } });
    await registerStep(api, { message: "Create", table: "account", stage: 20, script: { onlyIfName: "validated then cancelled", throw: "invalid" } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, script: { label: "swallow", onlyIfName: "swallower", createAccount: "fail-40", swallowNested: true } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, script: { onlyIfName: "created then deleted", deleteOwn: true } });
    await registerStep(api, { message: "Create", table: "contact", stage: 10, script: { label: "contact-validation" } });
    await registerStep(api, { message: "Create", table: "contact", stage: 20, script: { label: "contact-pre" } });
  });

  it.each([10, 20, 40])("a cancelled step at stage %i leaves nothing behind", async (stage) => {
    const jobsBefore = await jobCount();
    const result = await api("POST", "accounts", { body: { name: `fail-${stage}` } });
    expect(result.status).toBe(400);
    expect(result.json.error).toEqual({ code: "0x80040265", message: `Stopped by ${stage === 10 ? "v" : stage === 20 ? "p" : "o"}.` });
    expect(await accountsNamed(`fail-${stage}`)).toBe(0);
    expect(await accountsNamed(`nested of fail-${stage}`)).toBe(0);
    expect(await jobCount()).toBe(jobsBefore);
  });

  it("commits a top-level pre-validation step's own calls on their own, as Dataverse does outside the transaction", async () => {
    expect((await api("POST", "accounts", { body: { name: "validated then cancelled" } })).status).toBe(400);
    expect(await accountsNamed("validated then cancelled")).toBe(0);
    expect(await accountsNamed("written outside the transaction")).toBe(1);
  });

  it("hides a plug-in's unexpected error behind Dataverse's ISV message", async () => {
    const result = await api("POST", "accounts", { body: { name: "fail-unexpected" } });
    expect(result.status).toBe(400);
    expect(result.json.error).toEqual({ code: "0x80040224", message: "An unexpected error occurred from ISV code." });
    expect(JSON.stringify(result.json)).not.toContain("secret internal detail");
    expect(await accountsNamed("fail-unexpected")).toBe(0);
  });

  it("commits a plug-in's nested create with its operation, one level deeper, in the same transaction", async () => {
    await api("GET", "accounts?$top=1"); // registrations loaded
    const { result, roundTrips } = await service.roundTrips.measure(() => api("POST", "accounts", { body: { name: "parent" } }));
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);
    expect(await accountsNamed("parent")).toBe(1);
    expect(await accountsNamed("child")).toBe(1);
    const [parent] = entries(org, "parent");
    const [child] = entries(org, "child-pre");
    expect(child).toMatchObject({ depth: 2, isInTransaction: true, correlationId: parent.correlationId, parentStage: 30 });
  });

  it("answers a create whose post-operation step deleted the row with the commit alone (its system job): no read of the cancelled row", async () => {
    await api("GET", "accounts?$top=1"); // registrations loaded
    const { result, roundTrips } = await service.roundTrips.measure(() => api("POST", "accounts", { body: { name: "created then deleted" } }));
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);
    expect((await api("GET", `accounts(${idFromHeader(result)})`)).status).toBe(404);
  });

  it("fails the operation when a plug-in ignores the failure of its nested call", async () => {
    const result = await api("POST", "accounts", { body: { name: "swallower" } });
    expect(result.status).toBe(400);
    expect(result.json.error.message).toMatch(/^There is no active transaction/);
    expect(await accountsNamed("swallower")).toBe(0);
    expect(await accountsNamed("nested of fail-40")).toBe(0);
  });

  it("stops a chain of calls deeper than 8 with Dataverse's infinite-loop error, and rolls it back", async () => {
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "looping", description: "original" } }));
    const result = await api("PATCH", `accounts(${id})`, { body: { name: "looping again" } });
    expect(result.status).toBe(400);
    expect(result.json.error.code).toBe("0x80044182");
    expect(Math.max(...entries(org, "loop").map((entry) => entry.depth))).toBe(8);
    const read = await api("GET", `accounts(${id})?$select=name,description`);
    expect(read.json).toMatchObject({ name: "looping", description: "original" });
  });

  it("lets a plug-in at depth 8 make a call that runs no step: only a call that would run one is a loop", async () => {
    const deep = apiOf(deepOrg);
    const contact = idFromHeader(await deep("POST", "contacts", { body: { lastname: "deep" } }));
    await registerStep(deep, { message: "Update", table: "contact", stage: 40, filteringattributes: "description", script: { label: "deep", updateAgain: true, untilDepth: 8, retrieveContact: contact } });
    const result = await deep("PATCH", `contacts(${contact})`, { body: { description: "start" } });
    expect(result.status).toBe(204);
    expect(entries(deepOrg, "deep").map((entry) => entry.depth)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await deep("GET", `contacts(${contact})?$select=description`)).json.description).toBe("depth 7");
  });

  it("runs a step's calls as its impersonating user", async () => {
    const user = idFromHeader(await api("POST", "systemusers", { body: { fullname: "Step User", lastname: "User" } }));
    await registerStep(api, { message: "Create", table: "account", stage: 40, impersonatinguserid: user, script: { label: "as-user", onlyIfName: "impersonated", createAccount: "made as user" } });
    const result = await api("POST", "accounts", { body: { name: "impersonated" } });
    expect(result.status).toBe(403);
    expect(result.json.error.message).toContain(`Principal user (Id=${user}`);
    expect(entries(org, "as-user")[0].userId).toBe(user);
    expect(await accountsNamed("impersonated")).toBe(0);
  });

  it("refuses to run a step as a disabled user, and rolls back", async () => {
    const user = idFromHeader(await api("POST", "systemusers", { body: { fullname: "Gone User", lastname: "Gone" } }));
    const step = await registerStep(api, { message: "Create", table: "account", stage: 40, impersonatinguserid: user, script: { label: "as-disabled", onlyIfName: "as disabled", createAccount: "made as disabled" } });
    try {
      expect((await api("PATCH", `systemusers(${user})`, { body: { isdisabled: true } })).status).toBe(204);
      const result = await api("POST", "accounts", { body: { name: "as disabled" } });
      expect([result.status, result.json.error.code]).toEqual([400, "0x80040225"]);
      expect(entries(org, "as-disabled")).toHaveLength(0);
      expect(await accountsNamed("as disabled")).toBe(0);
    } finally {
      // Every account Create of the organization runs as this step's user: the step must not outlive the test.
      await api("DELETE", `sdkmessageprocessingsteps(${step})`);
    }
  });

  it("runs pre-validation before the privilege check", async () => {
    const user = idFromHeader(await api("POST", "systemusers", { body: { fullname: "No Roles", lastname: "Roles" } }));
    const result = await api("POST", "contacts", { body: { lastname: "Denied" } , headers: { MSCRMCallerID: user } });
    expect(result.status).toBe(403);
    expect(result.json.error.code).toBe("0x80040220");
    expect(entries(org, "contact-validation")).toHaveLength(1);
    expect(entries(org, "contact-validation")[0].userId).toBe(user);
    expect(entries(org, "contact-pre")).toHaveLength(0);
  });

  it("refuses every record message the caller's roles do not grant, and an owner change without Assign", async () => {
    const user = idFromHeader(await api("POST", "systemusers", { body: { fullname: "Account Writer", lastname: "Writer" } }));
    const role = idFromHeader(await api("POST", "roles", { body: { name: "Account writer", privileges: "prvWriteAccount" } }));
    await api("POST", "systemuserrolescollection", { body: { "systemuserid@odata.bind": `/systemusers(${user})`, "roleid@odata.bind": `/roles(${role})` } });
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "guarded" } }));
    const asUser = { MSCRMCallerID: user };
    const refused = {
      prvReadAccount: [await api("GET", `accounts(${id})`, { headers: asUser }), await api("GET", "accounts", { headers: asUser })],
      prvDeleteAccount: [await api("DELETE", `accounts(${id})`, { headers: asUser })],
      prvAssignAccount: [await api("PATCH", `accounts(${id})`, { body: { "ownerid@odata.bind": `/systemusers(${user})` }, headers: asUser })],
    };
    for (const [privilege, results] of Object.entries(refused)) {
      for (const result of results) {
        expect(result.status).toBe(403);
        expect(result.json.error).toEqual({ code: "0x80040220", message: `Principal user (Id=${user}, type=8) is missing ${privilege} privilege.` });
      }
    }
    const after = (await api("GET", `accounts(${id})?$select=name,_ownerid_value`)).json;
    expect([after.name, after._ownerid_value === user]).toEqual(["guarded", false]);
  });
});

describe("time limit", () => {
  const { api: slowApiOf } = pipelineForTests([slowOrg], { stepTimeoutMs: 200 });
  const slow = slowApiOf(slowOrg);

  it("fails a step past its time limit with Dataverse's timeout error and rolls the operation back", async () => {
    await registerStep(slow, { message: "Create", table: "account", stage: 20, script: { label: "slow", onlyIfName: "slow", sleepMs: 700, createAccount: "too late" } });
    const result = await slow("POST", "accounts", { body: { name: "slow" } });
    expect(result.status).toBe(400);
    expect(result.json.error.message).toBe("The plug-in execution failed because the operation has timed-out at the Sandbox Host.");
    // The step goes on after its time limit: once its late create is over (refused), neither account exists.
    const late = await eventually(() => entries(slowOrg, "slow")[0]?.read.createAccount as string | undefined, 10_000, "the step's late create");
    expect(late).toMatch(/^refused: /);
    expect(await accountsNamed("slow", slow)).toBe(0);
    expect(await accountsNamed("too late", slow)).toBe(0);
  });
});
