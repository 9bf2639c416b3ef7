import { randomUUID } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import { seen } from "./scripted-plugin";
import { idFromHeader, pipelineForTests, registerStep } from "./support";

const org = uniqueOrganization("pu");
const { api: apiOf } = pipelineForTests([org]);
const api = apiOf(org);
const labels = () => (seen.get(org) ?? []).map((entry) => `${entry.label} ${entry.stage}`);
const MISSING_CONTACT = "00000000-0000-0000-0000-0000000000aa";

/** PATCH as upsert: either the Create or the Update message runs, decided before any step. */
describe("upsert", () => {
  beforeAll(async () => {
    await registerStep(api, { message: "Update", table: "account", stage: 10, script: { label: "update" } });
    await registerStep(api, { message: "Update", table: "account", stage: 20, script: { label: "update" } });
    await registerStep(api, { message: "Update", table: "account", stage: 20, script: { label: "needs contact", onlyIfName: "needs a contact", retrieveContact: MISSING_CONTACT } });
    await registerStep(api, { message: "Create", table: "account", stage: 20, script: { label: "create" } });
  });
  beforeEach(() => {
    seen.set(org, []);
  });

  it("runs only the Create steps when the row does not exist", async () => {
    const id = randomUUID();
    const result = await api("PATCH", `accounts(${id})`, { body: { name: "upserted" } });
    expect(result.status).toBe(204);
    expect(labels()).toEqual(["create 20"]);
    expect((await api("GET", `accounts(${id})?$select=name`)).json.name).toBe("upserted");
  });

  it("runs only the Update steps when the row exists", async () => {
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "existing" } }));
    seen.set(org, []);
    const result = await api("PATCH", `accounts(${id})`, { body: { name: "changed" } });
    expect(result.status).toBe(204);
    expect(labels()).toEqual(["update 10", "update 20"]);
    expect((await api("GET", `accounts(${id})?$select=name`)).json.name).toBe("changed");
  });

  it("answers a plug-in's NotFound inside an Update with that 404, not with a create", async () => {
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "before" } }));
    seen.set(org, []);
    const result = await api("PATCH", `accounts(${id})`, { body: { name: "needs a contact" } });
    expect(result.status).toBe(404);
    expect(result.json.error.message).toBe(`contact With Id = ${MISSING_CONTACT} Does Not Exist`);
    expect(labels()).not.toContain("create 20");
    expect((await api("GET", `accounts(${id})?$select=name`)).json.name).toBe("before");
  });
});
