import { beforeAll, describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import { seen, type Seen } from "./scripted-plugin";
import { idFromHeader, pipelineForTests, registerImage, registerStep } from "./support";

const org = uniqueOrganization("pi");
const tagOrg = uniqueOrganization("pt");
const { api: apiOf, service } = pipelineForTests([org, tagOrg]);
const api = apiOf(org);
const byLabel = (label: string): Seen[] => (seen.get(org) ?? []).filter((entry) => entry.label === label);

describe("images, filtering attributes and shared variables", () => {
  let accountId: string;

  beforeAll(async () => {
    const post = await registerStep(api, { message: "Update", table: "account", stage: 40, script: { label: "post", setShared: { fromPost: "yes" } } });
    expect((await registerImage(api, post, { imagetype: 0, entityalias: "before", attributes: "name,telephone1" })).status).toBe(204);
    expect((await registerImage(api, post, { imagetype: 1, entityalias: "after", attributes: "name" })).status).toBe(204);
    const pre = await registerStep(api, { message: "Update", table: "account", stage: 20, script: { label: "pre", setShared: { fromPre: "yes" } } });
    expect((await registerImage(api, pre, { imagetype: 0, entityalias: "all" })).status).toBe(204);
    await registerStep(api, { message: "Update", table: "account", stage: 10, script: { label: "validation", setShared: { fromValidation: "yes" } } });
    await registerStep(api, { message: "Update", table: "account", stage: 20, filteringattributes: "telephone1,websiteurl", script: { label: "filtered" } });
    accountId = idFromHeader(await api("POST", "accounts", { body: { name: "Before Ltd", telephone1: "1", description: "kept" } }));
  });

  it("gives pre and post images with the registered columns", async () => {
    expect((await api("PATCH", `accounts(${accountId})`, { body: { name: "After Ltd" } })).status).toBe(204);
    const [post] = byLabel("post");
    expect(post.preImages).toEqual({ before: { name: "Before Ltd", telephone1: "1" } });
    expect(post.postImages).toEqual({ after: { name: "After Ltd" } });
    const [pre] = byLabel("pre");
    expect(pre.preImages.all).toMatchObject({ name: "Before Ltd", telephone1: "1", description: "kept" });
    expect(pre.postImages).toEqual({});
  });

  it("names an image's owner, creator and business unit from the cached context: a Create with an all-columns post image is still one round trip", async () => {
    const post = await registerStep(api, { message: "Create", table: "account", stage: 40, script: { label: "created" } });
    expect((await registerImage(api, post, { imagetype: 1, entityalias: "created" })).status).toBe(204);
    await api("GET", "accounts?$top=1"); // registrations loaded
    const { result, roundTrips } = await service.roundTrips.measure(() => api("POST", "accounts", { body: { name: "Counted Ltd" } }));
    expect(result.status).toBe(204);
    expect(roundTrips).toBe(1);
    const [created] = byLabel("created");
    expect(created.postImages.created).toMatchObject({ name: "Counted Ltd", ownerid: { name: expect.any(String) }, owningbusinessunit: { name: expect.any(String) } });
  });

  it("runs an Update step with filtering attributes only when the update sets one of them", async () => {
    expect(byLabel("filtered")).toHaveLength(0);
    await api("PATCH", `accounts(${accountId})`, { body: { websiteurl: "https://example.com" } });
    expect(byLabel("filtered")).toHaveLength(1);
    expect(byLabel("pre")).toHaveLength(2);
  });

  it("shares variables between steps; pre-validation's reach later stages through ParentContext", () => {
    const [validation] = byLabel("validation");
    const [pre] = byLabel("pre");
    const [post] = byLabel("post");
    expect(validation.shared).toEqual({});
    expect(pre.shared).toEqual({});
    expect(pre.parentShared).toEqual({ fromValidation: "yes" });
    expect(post.shared).toEqual({ fromPre: "yes" });
    expect(post.parentShared).toEqual({ fromValidation: "yes" });
  });

  it("hands the request's tag to every step as the shared variable tag", async () => {
    await api("PATCH", `accounts(${accountId})?tag=from-caller`, { body: { name: "Tagged Ltd" } });
    expect(byLabel("validation").at(-1)!.shared).toEqual({ tag: "from-caller" });
    expect(byLabel("pre").at(-1)!.shared).toEqual({ tag: "from-caller" });
    expect(byLabel("post").at(-1)!.parentShared).toMatchObject({ tag: "from-caller" });
  });
});

describe("pre-images of pre-validation steps", () => {
  it("gives a pre-validation step its pre-image when an earlier pre-validation step's change of Target makes it run", async () => {
    await registerStep(api, { message: "Update", table: "contact", stage: 10, rank: 1, script: { label: "sets telephone", setTarget: { telephone1: "from 10" } } });
    const imaged = await registerStep(api, { message: "Update", table: "contact", stage: 10, rank: 2, filteringattributes: "telephone1", script: { label: "imaged validation" } });
    expect((await registerImage(api, imaged, { imagetype: 0, entityalias: "before", attributes: "lastname,telephone1" })).status).toBe(204);
    const id = idFromHeader(await api("POST", "contacts", { body: { lastname: "Before", telephone1: "0" } }));
    expect((await api("PATCH", `contacts(${id})`, { body: { lastname: "After" }, headers: { "If-Match": "*" } })).status).toBe(204);
    expect(byLabel("imaged validation").map((entry) => entry.preImages)).toEqual([{ before: { lastname: "Before", telephone1: "0" } }]);
  });

  it("reads the row for a Delete's pre-image only after the pre-validation step, which has no image of its own", async () => {
    await registerStep(api, { message: "Delete", table: "contact", stage: 10, script: { label: "validates delete" } });
    const imaged = await registerStep(api, { message: "Delete", table: "contact", stage: 20, script: { label: "imaged delete" } });
    expect((await registerImage(api, imaged, { imagetype: 0, entityalias: "before", attributes: "lastname" })).status).toBe(204);
    const id = idFromHeader(await api("POST", "contacts", { body: { lastname: "Deleted" } }));
    const { result, roundTrips } = await service.roundTrips.measure(() => api("DELETE", `contacts(${id})`));
    expect(result.status).toBe(204);
    expect(byLabel("validates delete")).toHaveLength(1);
    expect(roundTrips).toBe(2);
    expect(byLabel("imaged delete").map((entry) => entry.preImages)).toEqual([{ before: { lastname: "Deleted" } }]);
  });
});

describe("shared variables of messages other than Create, Update and Delete", () => {
  it.each(["Retrieve", "RetrieveMultiple"])("%s: pre-validation's are the later stages' own", async (message) => {
    await registerStep(api, { message, table: "contact", stage: 10, script: { label: `${message} 10`, setShared: { fromValidation: "yes" } } });
    await registerStep(api, { message, table: "contact", stage: 20, script: { label: `${message} 20`, setShared: { fromPre: "yes" } } });
    await registerStep(api, { message, table: "contact", stage: 40, script: { label: `${message} 40` } });
    const id = idFromHeader(await api("POST", "contacts", { body: { lastname: message } }));
    expect((await api("GET", message === "Retrieve" ? `contacts(${id})` : "contacts")).status).toBe(200);
    expect(byLabel(`${message} 20`)[0].shared).toEqual({ fromValidation: "yes" });
    expect(byLabel(`${message} 40`)[0].shared).toEqual({ fromValidation: "yes", fromPre: "yes" });
  });
});

describe("the shared variable tag", () => {
  const tagApi = apiOf(tagOrg);
  const stepsSaw = (label: string): Seen[] => (seen.get(tagOrg) ?? []).filter((entry) => entry.label === label);

  it("is immutable: steps that overwrite it leave later steps the caller's value", async () => {
    const overwrite = { tag: "overwritten" };
    await registerStep(tagApi, { message: "Create", table: "account", stage: 10, rank: 1, script: { label: "validation 1", setShared: overwrite } });
    await registerStep(tagApi, { message: "Create", table: "account", stage: 10, rank: 2, script: { label: "validation 2" } });
    await registerStep(tagApi, { message: "Create", table: "account", stage: 20, rank: 1, script: { label: "pre 1", setShared: { ...overwrite, other: "kept" } } });
    await registerStep(tagApi, { message: "Create", table: "account", stage: 20, rank: 2, script: { label: "pre 2" } });
    await registerStep(tagApi, { message: "Create", table: "account", stage: 40, script: { label: "post" } });
    expect((await tagApi("POST", "accounts?tag=original", { body: { name: "Tagged" } })).status).toBe(204);
    expect(stepsSaw("validation 2")[0].shared).toEqual({ tag: "original" });
    expect(stepsSaw("pre 2")[0].shared).toEqual({ tag: "original", other: "kept" });
    expect(stepsSaw("pre 2")[0].parentShared).toEqual({ tag: "original" });
    expect(stepsSaw("post")[0]).toMatchObject({ shared: { tag: "original", other: "kept" }, parentShared: { tag: "original" } });
  });
});
