import { beforeAll, describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import { seen } from "./scripted-plugin";
import { idFromHeader, pipelineForTests, registerImage, registerStep } from "./support";

const org = uniqueOrganization("po");
const { api: apiOf, service } = pipelineForTests([org]);
const api = apiOf(org);
const entry = (label: string) => (seen.get(org) ?? []).find((each) => each.label === label);
const latest = (label: string) => (seen.get(org) ?? []).findLast((each) => each.label === label);

/** Plug-ins' nested calls read and write the rows their own request staged, as in one SQL transaction. */
describe("a request's own rows inside its transaction", () => {
  beforeAll(async () => {
    await registerStep(api, { message: "Create", table: "account", stage: 40, script: { label: "reads itself", onlyIfName: "reads itself", readOwn: true } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, script: { label: "updates itself", onlyIfName: "updates itself", updateOwn: { description: "set in 40" } } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, script: { label: "creates and reads", onlyIfName: "creates and reads", createAndRead: "made and read" } });
    await registerStep(api, { message: "Update", table: "account", stage: 40, filteringattributes: "telephone1", script: { label: "post-update", updateOwn: { description: "set in 40" } } });
    await registerStep(api, { message: "Update", table: "account", stage: 20, filteringattributes: "websiteurl", script: { label: "pre-update", updateOwn: { description: "set in 20" } } });
    await registerStep(api, { message: "Update", table: "account", stage: 10, filteringattributes: "accountnumber", script: { label: "validation-update", updateOwn: { description: "set in 10" } } });
    await registerStep(api, { message: "Update", table: "account", stage: 10, filteringattributes: "emailaddress1", script: { label: "imaged-validation", updateOwn: { description: "set in 10" } } });
    for (const [stage, imagetype] of [[20, 0], [40, 2]]) {
      const step = await registerStep(api, { message: "Update", table: "account", stage, filteringattributes: "emailaddress1", script: { label: `imaged-${stage}` } });
      expect((await registerImage(api, step, { imagetype, entityalias: "image", attributes: "description,emailaddress1" })).status).toBe(204);
    }
    await api("GET", "accounts?$top=1"); // registrations loaded
  });

  it("lets a post-operation Create step retrieve and list the row just created", async () => {
    const created = await api("POST", "accounts", { body: { name: "reads itself" } });
    expect(created.status).toBe(204);
    expect(entry("reads itself")?.read).toEqual({ retrieved: "reads itself", listed: ["reads itself"] });
  });

  it("combines a post-operation Create step's update of its own row with the create: one write, both values", async () => {
    const { result, roundTrips } = await service.roundTrips.measure(() => api("POST", "accounts", { body: { name: "updates itself", telephone1: "111" } }));
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);
    const read = await api("GET", `accounts(${idFromHeader(result)})?$select=name,telephone1,description`);
    expect(read.json).toMatchObject({ name: "updates itself", telephone1: "111", description: "set in 40" });
    const represented = await api("POST", "accounts?$select=name,description", { body: { name: "updates itself" }, headers: { Prefer: "return=representation" } });
    expect(represented.status).toBe(201);
    expect(represented.json).toMatchObject({ name: "updates itself", description: "set in 40" });
    expect(represented.json["@odata.etag"]).toBe((await api("GET", `accounts(${idFromHeader(represented)})?$select=name`)).json["@odata.etag"]);
  });

  it("lets a plug-in retrieve a row it created earlier in the same request", async () => {
    const created = await api("POST", "accounts", { body: { name: "creates and reads" } });
    expect(created.status).toBe(204);
    expect(entry("creates and reads")?.read).toEqual({ createdAndRead: "made and read" });
    expect((await api("GET", "accounts?$filter=name eq 'made and read'&$select=name")).json.value).toHaveLength(1);
  });

  it("keeps the user's change when a post-operation Update step updates the same row", async () => {
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "post-updated", telephone1: "000" } }));
    const { result, roundTrips } = await service.roundTrips.measure(() => api("PATCH", `accounts(${id})`, { body: { telephone1: "555" } }));
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(2);
    const read = await api("GET", `accounts(${id})?$select=telephone1,description`);
    expect(read.json).toMatchObject({ telephone1: "555", description: "set in 40" });
  });

  it("keeps a pre-operation Update step's change of the same row under the user's update", async () => {
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "pre-updated", websiteurl: "000" } }));
    expect((await api("PATCH", `accounts(${id})`, { body: { websiteurl: "777" } })).status).toBe(204);
    const read = await api("GET", `accounts(${id})?$select=websiteurl,description`);
    expect(read.json).toMatchObject({ websiteurl: "777", description: "set in 20" });
    expect(entry("pre-update")).toBeDefined();
  });

  it("updates the row as a pre-validation step left it: that step's own update commits first (outside the transaction) and stays", async () => {
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "validated", accountnumber: "A-0" } }));
    const result = await api("PATCH", `accounts(${id})`, { body: { accountnumber: "A-1" } });
    expect(result.status).toBe(204);
    const read = await api("GET", `accounts(${id})?$select=accountnumber,description`);
    expect(read.json).toMatchObject({ accountnumber: "A-1", description: "set in 10" });
  });

  it("gives later stages pre-images of the row as a top-level pre-validation step's own update left it", async () => {
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "imaged", emailaddress1: "old@example.com", description: "original" } }));
    expect((await api("PATCH", `accounts(${id})`, { body: { emailaddress1: "new@example.com" } })).status).toBe(204);
    expect(entry("imaged-validation")).toBeDefined();
    const before = { description: "set in 10", emailaddress1: "old@example.com" };
    expect(entry("imaged-20")?.preImages).toEqual({ image: before });
    expect(entry("imaged-40")?.preImages).toEqual({ image: before });
    expect(entry("imaged-40")?.postImages).toEqual({ image: { description: "set in 10", emailaddress1: "new@example.com" } });
  });

  it("reads the row for those pre-images only after the pre-validation step, which has no image of its own", async () => {
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "imaged once", emailaddress1: "old@example.com", description: "original" } }));
    const validated = (seen.get(org) ?? []).filter((each) => each.label === "imaged-validation").length;
    // If-Match: the Web API decides no upsert, so it does not read the row first.
    const update = () => api("PATCH", `accounts(${id})`, { body: { emailaddress1: "new@example.com" }, headers: { "If-Match": "*" } });
    const { result, roundTrips } = await service.roundTrips.measure(update);
    expect(result.status).toBe(204);
    expect((seen.get(org) ?? []).filter((each) => each.label === "imaged-validation")).toHaveLength(validated + 1);
    // The pre-validation step's own Update (its read and write, committed on its own), the row read again, the update.
    expect(roundTrips).toBe(4);
    expect(latest("imaged-20")?.preImages).toEqual({ image: { description: "set in 10", emailaddress1: "old@example.com" } });
  });
});
