import { beforeAll, describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import { seen } from "./scripted-plugin";
import { idFromHeader, pipelineForTests, registerStep } from "./support";

const org = uniqueOrganization("pl");
const { api: apiOf } = pipelineForTests([org]);
const api = apiOf(org);

const labels = () => (seen.get(org) ?? []).map((entry) => entry.label);

describe("stages", () => {
  beforeAll(async () => {
    // Registered out of order: the pipeline orders by stage, then rank, then registration order.
    await registerStep(api, { message: "Create", table: "account", stage: 40, rank: 1, script: { label: "post" } });
    await registerStep(api, { message: "Create", table: "account", stage: 20, rank: 2, script: { label: "pre-rank2", setTarget: { description: "from 20" } } });
    await registerStep(api, { message: "Create", table: "account", stage: 20, rank: 1, script: { label: "pre-rank1-first" } });
    await registerStep(api, { message: "Create", table: "account", stage: 20, rank: 1, script: { label: "pre-rank1-second" } });
    await registerStep(api, { message: "Create", table: "account", stage: 10, rank: 5, script: { label: "validation", setTarget: { telephone1: "from 10" } } });
    await registerStep(api, { message: "Retrieve", table: "account", stage: 40, script: { label: "retrieve-post", setOutputName: "Changed in 40" } });
    await registerStep(api, { message: "RetrieveMultiple", table: "account", stage: 40, script: { label: "list-post", setOutputName: "Listed in 40" } });
  });

  it("runs steps by stage, rank and registration order, and Target changes in 10 and 20 are written", async () => {
    const created = await api("POST", "accounts", { body: { name: "Stages Ltd" } });
    expect(created.status).toBe(204);
    expect(labels()).toEqual(["validation", "pre-rank1-first", "pre-rank1-second", "pre-rank2", "post"]);
    const id = idFromHeader(created);
    const read = await api("GET", `accounts(${id})?$select=name,telephone1,description`);
    expect(read.json).toMatchObject({ telephone1: "from 10", description: "from 20", name: "Changed in 40" });
  });

  it("gives each step the right context", async () => {
    const entries = seen.get(org)!;
    const [validation, pre, , , post] = entries;
    expect(validation).toMatchObject({ stage: 10, mode: 0, depth: 1, isInTransaction: false, parentStage: undefined });
    expect(pre).toMatchObject({ stage: 20, isInTransaction: true, parentStage: 30, parentOwningExtension: "ObjectModel Implementation" });
    expect(post).toMatchObject({ stage: 40, isInTransaction: true, outputKeys: ["id"] });
    expect(post.target.name).toBe("Stages Ltd");
    expect(new Set(entries.slice(0, 5).map((entry) => entry.correlationId)).size).toBe(1);
    expect(post.operationId).toBe(post.requestId);
    expect(new Set(entries.slice(0, 5).map((entry) => entry.owningExtensionId)).size).toBe(5);
  });

  it("returns what a post-operation step put in OutputParameters", async () => {
    const created = await api("POST", "accounts", { body: { name: "Output Ltd" } });
    const read = await api("GET", `accounts(${idFromHeader(created)})?$select=name`);
    expect(read.json.name).toBe("Changed in 40");
  });

  it("returns the collection a post-operation RetrieveMultiple step changed", async () => {
    const list = await api("GET", "accounts?$select=name");
    expect(list.json.value.length).toBeGreaterThan(0);
    for (const row of list.json.value) expect(row).toMatchObject({ name: "Listed in 40", "@odata.etag": expect.stringMatching(/^W\//) });
  });
});
