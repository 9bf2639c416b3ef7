import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndpointPoster } from "../../shared/delivery";
import { jobAttemptDependencies, JobStatus, runJobAttempt } from "../../shared/jobs";
import { eventually } from "../host/run-host";
import { uniqueOrganization } from "../support/data-service";
import { seen } from "./scripted-plugin";
import { idFromHeader, pipelineForTests, registerStep } from "./support";

const org = uniqueOrganization("pcc");
const { api: apiOf } = pipelineForTests([org]);
const api = apiOf(org);
/** A post-operation step that sleeps holds its request between its read of the row and its commit, so that two requests overlap. */
const SLOW = 300;
const slowNames = { first: "slow first", second: "slow second" };

const row = async (id: string) => (await api("GET", `accounts(${id})?$select=name,telephone1,emailaddress1`)).json;
/** The system jobs of a row's `message` (Create or Update). */
const jobsOf = async (id: string, message = "Update") =>
  (await api("GET", `asyncoperations?$filter=_regardingobjectid_value eq ${id} and messagename eq '${message}'&$select=name`)).json.value as unknown[];

/** Two writes of one row at once through the Web API, each held by a synchronous step before its commit. */
describe("concurrent writes of one row", () => {
  beforeAll(async () => {
    for (const name of Object.values(slowNames)) {
      await registerStep(api, { message: "Update", table: "account", stage: 40, script: { label: "slow", onlyIfName: name, sleepMs: SLOW } });
    }
    // Slower than an Update: a Delete sent with one commits after it, on a row read before it.
    await registerStep(api, { message: "Delete", table: "account", stage: 40, script: { label: "slow", sleepMs: 2 * SLOW } });
    // An asynchronous step on Update: a request that commits leaves a system job, one that does not leaves none.
    await registerStep(api, { message: "Update", table: "account", stage: 40, mode: 1, script: { label: "async" } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, script: { label: "async" } });
  });

  it("with one If-Match: one wins, the other is 412 with Dataverse's error and writes nothing (no column, no system job)", async () => {
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "before" } }));
    const etag = (await api("GET", `accounts(${id})`)).json["@odata.etag"];
    const [first, second] = await Promise.all([
      api("PATCH", `accounts(${id})`, { body: { name: slowNames.first, telephone1: "1" }, headers: { "If-Match": etag } }),
      api("PATCH", `accounts(${id})`, { body: { name: slowNames.second, emailaddress1: "second@example.com" }, headers: { "If-Match": etag } }),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([204, 412]);
    const loser = first.status === 412 ? first : second;
    expect(loser.json).toEqual({ error: { code: "0x80060882", message: "The version of the existing record doesn't match the RowVersion property provided." } });
    const winner = first.status === 204 ? { name: slowNames.first, telephone1: "1", emailaddress1: null } : { name: slowNames.second, telephone1: null, emailaddress1: "second@example.com" };
    expect(await row(id)).toMatchObject(winner);
    expect(await jobsOf(id)).toHaveLength(1);
  });

  it("without If-Match: both succeed, neither loses the other's columns, and each leaves its system job", async () => {
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "before" } }));
    const [first, second] = await Promise.all([
      api("PATCH", `accounts(${id})`, { body: { name: slowNames.first, telephone1: "1" } }),
      api("PATCH", `accounts(${id})`, { body: { name: slowNames.second, emailaddress1: "second@example.com" } }),
    ]);
    expect([first.status, first.json, second.status, second.json]).toEqual([204, undefined, 204, undefined]);
    const after = await row(id);
    expect(after).toMatchObject({ telephone1: "1", emailaddress1: "second@example.com" });
    expect(Object.values(slowNames)).toContain(after.name);
    expect(await jobsOf(id)).toHaveLength(2);
  });

  it("a Delete without If-Match that reads the row before an Update (If-Match: *) commits: the row is deleted, no 412", async () => {
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "before" } }));
    const [update, remove] = await Promise.all([api("PATCH", `accounts(${id})`, { body: { name: slowNames.first, telephone1: "1" }, headers: { "If-Match": "*" } }), api("DELETE", `accounts(${id})`)]);
    expect(remove.status).toBe(204);
    expect(update.status).toBe(204);
    expect((await api("GET", `accounts(${id})`)).status).toBe(404);
  });

  it("two Creates with one id: one is created, the other is 412 0x80040237 and writes nothing (no system job)", async () => {
    const id = randomUUID();
    const results = await Promise.all(["c1", "c2"].map((name) => api("POST", "accounts", { body: { accountid: id, name } })));
    expect(results.map((result) => result.status).sort()).toEqual([204, 412]);
    const loser = results.find((result) => result.status === 412)!;
    expect(loser.json.error.code).toBe("0x80040237");
    const winnerName = results[0].status === 204 ? "c1" : "c2";
    expect((await row(id)).name).toBe(winnerName);
    expect(await jobsOf(id, "Create")).toHaveLength(1);
  });

  it("an upsert racing a Create of its id: one creates the row, the other is 412 0x80040237; the row is the winner's alone", async () => {
    const id = randomUUID();
    const [upsert, create] = await Promise.all([api("PATCH", `accounts(${id})`, { body: { name: "upserted", telephone1: "1" } }), api("POST", "accounts", { body: { accountid: id, name: "created" } })]);
    expect([upsert.status, create.status].sort()).toEqual([204, 412]);
    const loser = upsert.status === 412 ? upsert : create;
    expect(loser.json.error.code).toBe("0x80040237");
    expect(await row(id)).toMatchObject(upsert.status === 204 ? { name: "upserted", telephone1: "1" } : { name: "created", telephone1: null });
    expect(await jobsOf(id, "Create")).toHaveLength(1);
  });
});

/** A plug-in's call outside any transaction (an asynchronous step's) commits on its own, as a request from outside does. */
describe("an asynchronous plug-in's Update racing a user's Update of the same row", () => {
  const organization = uniqueOrganization("pcn");
  const { api: apiOf, service } = pipelineForTests([organization]);
  const user = apiOf(organization);
  const deps = jobAttemptDependencies(service, createEndpointPoster(), { attempt: () => undefined, post: () => undefined });

  beforeAll(async () => {
    // The job's plug-in updates the account it was created for; that Update is held before its commit.
    await registerStep(user, { message: "Create", table: "account", stage: 40, mode: 1, script: { label: "job", updateOwn: { name: slowNames.first, telephone1: "1" } } });
    await registerStep(user, { message: "Update", table: "account", stage: 40, script: { label: "held", onlyIfName: slowNames.first, sleepMs: SLOW } });
  });
  afterAll(async () => {
    await deps.poster.close();
  });

  it("both succeed: the job Succeeds and the row keeps both columns", async () => {
    const id = idFromHeader(await user("POST", "accounts", { body: { name: "before" } }));
    const [job] = (await user("GET", `asyncoperations?$filter=_regardingobjectid_value eq ${id}&$select=asyncoperationid`)).json.value;
    const held = () => (seen.get(organization) ?? []).some((entry) => entry.label === "held" && entry.target.accountid === id);
    const attempt = runJobAttempt(deps, { organization, jobId: job.asyncoperationid });
    await eventually(() => expect(held()).toBe(true));
    // The user's Update commits while the plug-in's is held between its read and its commit.
    expect((await user("PATCH", `accounts(${id})`, { body: { emailaddress1: "user@example.com" } })).status).toBe(204);
    expect(await attempt).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });
    expect((await user("GET", `accounts(${id})?$select=name,telephone1,emailaddress1`)).json).toMatchObject({ name: slowNames.first, telephone1: "1", emailaddress1: "user@example.com" });
  });
});

/** Only a request's own commit that lost a race makes it run again; a conflict its step let through is the step's failure. */
describe("a pre-validation step that lets a lost race of its own call through", () => {
  const organization = uniqueOrganization("pcv");
  const { api: apiOf } = pipelineForTests([organization]);
  const user = apiOf(organization);

  beforeAll(async () => {
    await registerStep(user, { message: "Update", table: "account", stage: 10, script: { label: "gave up", onlyIfName: "conflicted", throw: "conflict" } });
  });

  it("fails the request once (its steps are not run again), writing nothing", async () => {
    const id = idFromHeader(await user("POST", "accounts", { body: { name: "before" } }));
    const runs = () => (seen.get(organization) ?? []).filter((entry) => entry.label === "gave up" && entry.target.accountid === id).length;
    const update = await user("PATCH", `accounts(${id})`, { body: { name: "conflicted" } });
    expect(update.status).toBe(412);
    expect(runs()).toBe(1);
    expect((await user("GET", `accounts(${id})?$select=name`)).json).toMatchObject({ name: "before" });
  });
});
