import { afterAll, describe, expect, it } from "vitest";
import { createEndpointPoster } from "../../shared/delivery";
import { jobAttemptDependencies, JobStatus } from "../../shared/jobs";
import { uniqueOrganization } from "../support/data-service";
import { accountCreated } from "../support/delivery";
import { attemptUntilDone, commitJob, registerQueueStep } from "../support/system-jobs";
import { pipelineForTests, registerStep } from "./support";

const org = uniqueOrganization("sereg");
const { api: apiOf, service } = pipelineForTests([org]);
const api = apiOf(org);
const asUser = (method: string, path: string, body?: unknown) => api(method, path, { body, headers: { Prefer: "return=representation" } });

const CONNECTION_STRING = "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0";
const queue = { contract: 2, messageformat: 2, userclaim: 1, connectionmode: 1, path: "dataverse-events", authtype: 7, connectionstring: CONNECTION_STRING };
const webhook = { contract: 8, userclaim: 1, connectionmode: 1, url: "https://example.com/hook", authtype: 4, authvalue: "the-webhook-key" };

const stored = async (name: string) => (await api("GET", `serviceendpoints?$filter=name eq '${name}'&$select=name,url`)).json.value as Record<string, unknown>[];

describe("a service endpoint registration through the Web API", () => {
  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ["binary XML", { ...queue, messageformat: 1 }, /messageformat: Binary XML \(1\) is not supported/],
    ["binary XML by default", { ...queue, messageformat: undefined }, /messageformat: Binary XML \(1\) is not supported/],
    ["a queue without a path", { ...queue, path: undefined }, /path: is required for contract 2 \(Queue\)/],
    ["a queue on connection string auth without one", { ...queue, connectionstring: undefined }, /connectionstring: is required for authtype 7/],
    ["a webhook on port 8080", { ...webhook, url: "https://example.com:8080/hook" }, /url: port 8080 is not allowed; use 80 or 443/],
    ["a webhook on a SAS key", { ...webhook, authtype: 2 }, /authtype: contract 8 \(Webhook\) takes 4 \(Webhook Key\), 5 \(Http Header\) or 6/],
    ["a webhook on Http Header without its headers", { ...webhook, authtype: 5, authvalue: undefined }, /authvalue: is required for authtype 5/],
    ["a webhook without a URL", { ...webhook, url: undefined }, /url: is required for contract 8 \(Webhook\)/],
    ["a webhook URL with a user name and password", { ...webhook, url: "https://user:USERPW@example.com/hook" }, /url: must not contain a user name or password/],
    [
      "an Http Header value with a line break",
      { ...webhook, authtype: 5, authvalue: '<settings><setting name="x-api-key" value="AUTH\nSECRET" /></settings>' },
      /authvalue: setting 1 \(x-api-key\): its value cannot be sent as an HTTP header/,
    ],
    [
      "an Http Header name that is not a header name",
      { ...webhook, authtype: 5, authvalue: '<settings><setting name="x-api-key" value="one" /><setting name="x api key" value="SECRET" /></settings>' },
      /authvalue: setting 2: its name is not a valid HTTP header name/,
    ],
  ];
  for (const [what, columns, reason] of refusals) {
    it(`refuses ${what} with a 400 that says why, and stores nothing`, async () => {
      const name = `refused ${what}`;
      const result = await asUser("POST", "serviceendpoints", { ...columns, name });
      expect(result.status).toBe(400);
      expect(result.json.error.code).toMatch(/^0x/);
      expect(result.json.error.message).toMatch(reason);
      expect(result.json.error.message).not.toMatch(/SECRET|USERPW|the-webhook-key/);
      expect(await stored(name)).toEqual([]);
    });
  }

  it("registers a valid queue and webhook (201), secrets write-only", async () => {
    const created = await asUser("POST", "serviceendpoints", { ...webhook, name: "valid hook" });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.json)).not.toContain("the-webhook-key");
    expect(created.json.isauthvalueset).toBe(true);
    expect((await asUser("POST", "serviceendpoints", { ...queue, name: "valid queue" })).status).toBe(201);
  });

  it("flags each secret with is<column>set: false when never written, true once set, false once cleared", async () => {
    const flags = "isauthvalueset,issaskeyset,issastokenset,isconnectionstringset,issigningsecretset";
    const created = await asUser("POST", "serviceendpoints", { ...webhook, name: "flagged hook" });
    expect(created.json).toMatchObject({ isauthvalueset: true, issaskeyset: false, issastokenset: false, isconnectionstringset: false, issigningsecretset: false });
    const id = created.json.serviceendpointid as string;
    const read = async () => (await api("GET", `serviceendpoints(${id})?$select=${flags}`)).json;
    expect(await read()).toMatchObject({ isauthvalueset: true, issaskeyset: false, issastokenset: false, isconnectionstringset: false, issigningsecretset: false });
    expect((await asUser("PATCH", `serviceendpoints(${id})`, { signingsecret: "sign" })).status).toBeLessThan(300);
    expect(await read()).toMatchObject({ isauthvalueset: true, issigningsecretset: true });
    expect((await asUser("PATCH", `serviceendpoints(${id})`, { description: "renamed" })).status).toBeLessThan(300);
    expect(await read()).toMatchObject({ isauthvalueset: true, issigningsecretset: true });
    expect((await asUser("PATCH", `serviceendpoints(${id})`, { signingsecret: null })).status).toBeLessThan(300);
    expect(await read()).toMatchObject({ isauthvalueset: true, issigningsecretset: false });

    const queued = await asUser("POST", "serviceendpoints", { ...queue, name: "flagged queue" });
    expect(queued.json).toMatchObject({ isauthvalueset: false, issaskeyset: false, issastokenset: false, isconnectionstringset: true, issigningsecretset: false });
  });

  it("registers a managed-identity endpoint (authtype 9), with no secret", async () => {
    const { connectionstring: _secret, ...columns } = queue;
    const created = await asUser("POST", "serviceendpoints", { ...columns, name: "identity queue", authtype: 9, namespaceformat: 2, namespaceaddress: "sb://contoso.servicebus.windows.net/" });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const read = await api("GET", `serviceendpoints(${created.json.serviceendpointid})?$select=authtype`, { headers: { Prefer: 'odata.include-annotations="*"' } });
    expect(read.json.authtype).toBe(9);
    expect(read.json["authtype@OData.Community.Display.V1.FormattedValue"]).toBe("Managed Identity");
  });

  it("checks an update on the stored row with the change: a change that breaks it is a 400 and leaves it as it was", async () => {
    const id = (await asUser("POST", "serviceendpoints", { ...webhook, name: "updated hook" })).json.serviceendpointid as string;
    // Valid with the stored secret: only the name and URL change, the authvalue is the stored one.
    expect((await asUser("PATCH", `serviceendpoints(${id})`, { name: "updated hook", url: "https://example.com:443/moved" })).status).toBeLessThan(300);

    const toPort = await asUser("PATCH", `serviceendpoints(${id})`, { url: "https://example.com:8080/hook" });
    expect(toPort.status).toBe(400);
    expect(toPort.json.error.message).toMatch(/url: port 8080 is not allowed/);
    const toHeaders = await asUser("PATCH", `serviceendpoints(${id})`, { authtype: 5 });
    expect(toHeaders.status).toBe(400);
    expect(toHeaders.json.error.message).toMatch(/authvalue: must be <settings>/);
    expect(JSON.stringify(toHeaders.json)).not.toContain("the-webhook-key");
    const toQueue = await asUser("PATCH", `serviceendpoints(${id})`, { contract: 2, messageformat: 1 });
    expect(toQueue.status).toBe(400);

    const read = await api("GET", `serviceendpoints(${id})?$select=contract,url,authtype,messageformat`);
    expect(read.json).toMatchObject({ contract: 8, url: "https://example.com:443/moved", authtype: 4 });
  });
});

describe("deleting a service endpoint", () => {
  const deps = jobAttemptDependencies(service, createEndpointPoster(), { attempt: () => undefined, post: () => undefined });
  afterAll(() => deps.poster.close());
  const exists = async (path: string) => (await api("GET", path)).status === 200;

  it("deletes its steps in the same request, leaves other endpoints' steps, and fails a job still open for one of them", async () => {
    const doomed = await registerQueueStep(asUser, "", { table: "contact", endpoint: { ...queue, name: "doomed queue" } });
    const kept = await registerQueueStep(asUser, "", { table: "contact", message: "Update", endpoint: { ...queue, name: "kept queue" } });
    const endpointOf = async (step: string) => (await api("GET", `sdkmessageprocessingsteps(${step})?$select=_eventhandler_value`)).json._eventhandler_value as string;
    const endpoint = await endpointOf(doomed);
    const openJob = await commitJob(org, doomed, accountCreated());
    await deps.registrations.get(org); // the job's instance has the step cached

    expect((await api("DELETE", `serviceendpoints(${endpoint})`)).status).toBe(204);
    expect(await exists(`serviceendpoints(${endpoint})`)).toBe(false);
    expect(await exists(`sdkmessageprocessingsteps(${doomed})`)).toBe(false);
    expect(await exists(`sdkmessageprocessingsteps(${kept})`)).toBe(true);
    expect(await exists(`serviceendpoints(${await endpointOf(kept)})`)).toBe(true);

    // A contact Create no longer has a step to run (nor a job to stage).
    const contact = await api("POST", "contacts", { body: { lastname: "After the endpoint" } });
    expect(contact.status).toBe(204);
    const jobs = await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${doomed}&$select=asyncoperationid`);
    expect(jobs.json.value.map((job: { asyncoperationid: string }) => job.asyncoperationid)).toEqual([openJob]);

    // The job committed before the delete fails, saying its step is gone.
    const results = await attemptUntilDone(deps, { organization: org, jobId: openJob });
    expect(results.at(-1)).toEqual({ kind: "completed", statuscode: JobStatus.Failed });
    const job = (await api("GET", `asyncoperations(${openJob})?$select=message,statuscode`)).json;
    expect(job.message).toBe(`The step ${doomed} of system job ${openJob} no longer exists.`);
  });

  it("deletes the steps in the operation's one commit: a Delete rolled back by a plug-in keeps the endpoint and its steps", async () => {
    const step = await registerQueueStep(asUser, "", { table: "account", message: "Update", endpoint: { ...queue, name: "guarded queue" } });
    const endpoint = (await api("GET", `sdkmessageprocessingsteps(${step})?$select=_eventhandler_value`)).json._eventhandler_value as string;
    const guard = await registerStep(api, { message: "Delete", table: "serviceendpoint", stage: 40, script: { throw: "invalid", label: "the endpoint guard" } });

    const refused = await api("DELETE", `serviceendpoints(${endpoint})`);
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toBe("Stopped by the endpoint guard.");
    expect(await exists(`serviceendpoints(${endpoint})`)).toBe(true);
    expect(await exists(`sdkmessageprocessingsteps(${step})`)).toBe(true);

    expect((await api("PATCH", `sdkmessageprocessingsteps(${guard})`, { body: { statecode: 1 } })).status).toBe(204);
    expect((await api("DELETE", `serviceendpoints(${endpoint})`)).status).toBe(204);
    expect(await exists(`sdkmessageprocessingsteps(${step})`)).toBe(false);
  });
});
