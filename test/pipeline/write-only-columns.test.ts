import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDataServiceSettings } from "../../shared/dataservice";
import { verifyPostSignature } from "../../shared/delivery";
import { createAppServices, type AppServices } from "../../shared/jobs";
import { uniqueOrganization } from "../support/data-service";
import { startTestHttpServer, type TestHttpServer } from "../support/delivery";
import { seen } from "./scripted-plugin";
import { idFromHeader, registerStep, stepBody, testPlugins, webApiClient } from "./support";

const organizations = { flags: uniqueOrganization("woflag"), updated: uniqueOrganization("woupd"), created: uniqueOrganization("wocre"), steps: uniqueOrganization("wostep") };

/**
 * Write-only columns (an endpoint's secrets, a step's secureconfig) when plug-in steps run on the message:
 * Target never carries them, yet they are written, and a step that changes Target cannot drop them.
 */
describe("write-only columns of a request that plug-in steps see", () => {
  let services: AppServices;
  let server: TestHttpServer;
  const apiOf = (organization: string) => webApiClient(services.pipeline)(organization);

  beforeAll(async () => {
    const env = { AzureWebJobsStorage: process.env.AzureWebJobsStorage, Organizations: Object.values(organizations).join(","), AllowAnonymousAsAdmin: "true" };
    services = createAppServices(env, { plugins: testPlugins(), settings: readDataServiceSettings(env) });
    server = await startTestHttpServer();
  });
  afterAll(async () => {
    await services.close();
    await server.close();
  });

  /** A synchronous post-operation step on account Create posting to the endpoint. */
  async function postOnAccountCreate(organization: string, endpointId: string): Promise<void> {
    const api = apiOf(organization);
    const { "eventhandler_plugintype@odata.bind": _plugin, ...body } = await stepBody(api, { message: "Create", table: "account", stage: 40, name: "post on account Create" });
    expect((await api("POST", "sdkmessageprocessingsteps", { body: { ...body, "eventhandler_serviceendpoint@odata.bind": `/serviceendpoints(${endpointId})` } })).status).toBe(204);
  }

  async function postedFor(organization: string, name: string) {
    server.requests.length = 0;
    expect((await apiOf(organization)("POST", "accounts", { body: { name } })).status).toBe(204);
    expect(server.requests).toHaveLength(1);
    return server.requests[0];
  }

  it("writes an Update's new authvalue and signingsecret past an unfiltered Update step that changes Target: the next post uses them", async () => {
    const organization = organizations.updated;
    const api = apiOf(organization);
    const endpoint = { name: "hook", contract: 8, userclaim: 1, authtype: 4, authvalue: "OLDKEY", signingsecret: "OLDSIGN", url: server.url };
    const endpointId = idFromHeader(await api("POST", "serviceendpoints", { body: endpoint }));
    await postOnAccountCreate(organization, endpointId);
    await registerStep(api, { message: "Update", table: "serviceendpoint", stage: 20, script: { label: "endpoint update", setTarget: { description: "seen by a plug-in" } } });

    expect((await api("PATCH", `serviceendpoints(${endpointId})`, { body: { authvalue: "NEWKEY", signingsecret: "NEWSIGN" } })).status).toBe(204);

    const post = await postedFor(organization, "After the rotation");
    expect(post.url.searchParams.get("code")).toBe("NEWKEY");
    expect(verifyPostSignature(post.headers, post.body, "NEWSIGN").valid).toBe(true);
    // The step ran and its change was written, without ever seeing a secret.
    expect((await api("GET", `serviceendpoints(${endpointId})?$select=description`)).json.description).toBe("seen by a plug-in");
    const target = seen.get(organization)?.find((entry) => entry.label === "endpoint update")?.target;
    expect(target).toBeDefined();
    expect(JSON.stringify(target)).not.toMatch(/NEWKEY|NEWSIGN/);
  });

  it("gives a post-operation Update step a Target without the is…set flags an update that touched no secret left as they were", async () => {
    const organization = organizations.flags;
    const api = apiOf(organization);
    const endpointId = idFromHeader(await api("POST", "serviceendpoints", { body: { name: "flags", contract: 8, userclaim: 1, authtype: 4, authvalue: "KEY", url: server.url } }));
    await registerStep(api, { message: "Update", table: "serviceendpoint", stage: 40, script: { label: "endpoint updated" } });

    expect((await api("PATCH", `serviceendpoints(${endpointId})`, { body: { description: "renamed" } })).status).toBe(204);

    const target = seen.get(organization)?.findLast((entry) => entry.label === "endpoint updated")?.target;
    expect(target).toMatchObject({ description: "renamed", modifiedon: expect.anything() });
    expect(Object.keys(target ?? {}).filter((name) => /^is\w+set$/.test(name))).toEqual([]);
  });

  it("writes a Create's secrets past an unfiltered Create step: a SAS key queue registers and a webhook posts with its key", async () => {
    const organization = organizations.created;
    const api = apiOf(organization);
    await registerStep(api, { message: "Create", table: "serviceendpoint", stage: 20, script: { setTarget: { description: "seen by a plug-in" } } });

    const queue = await api("POST", "serviceendpoints", {
      body: { name: "queue", contract: 2, messageformat: 2, userclaim: 1, path: "dataverse-events", authtype: 2, namespaceaddress: "sb://contoso.servicebus.windows.net/", saskeyname: "send", saskey: "c2VjcmV0" },
      headers: { Prefer: "return=representation" },
    });
    expect(queue.status, JSON.stringify(queue.json)).toBe(201);
    expect(queue.json).toMatchObject({ description: "seen by a plug-in", issaskeyset: true, issastokenset: false });

    const hook = await api("POST", "serviceendpoints", { body: { name: "hook", contract: 8, userclaim: 1, authtype: 4, authvalue: "CREATEDKEY", signingsecret: "CREATEDSIGN", url: server.url } });
    expect(hook.status, JSON.stringify(hook.json)).toBe(204);
    await postOnAccountCreate(organization, idFromHeader(hook));
    const post = await postedFor(organization, "First post");
    expect(post.url.searchParams.get("code")).toBe("CREATEDKEY");
    expect(verifyPostSignature(post.headers, post.body, "CREATEDSIGN").valid).toBe(true);
  });

  it("stores a step's secureconfig past an unfiltered Create step on steps: the plug-in gets it", async () => {
    const organization = organizations.steps;
    const api = apiOf(organization);
    await registerStep(api, { message: "Create", table: "sdkmessageprocessingstep", stage: 20, script: { label: "step registered" } });
    const body = await stepBody(api, { message: "Create", table: "contact", stage: 20, script: { label: "secure" } });
    expect((await api("POST", "sdkmessageprocessingsteps", { body: { ...body, secureconfig: "s3cret" } })).status).toBe(204);
    expect(seen.get(organization)?.filter((entry) => entry.label === "step registered")).toHaveLength(1);

    expect((await api("POST", "contacts", { body: { lastname: "Secure" } })).status).toBe(204);
    expect(seen.get(organization)?.find((entry) => entry.label === "secure")?.secureConfig).toBe("s3cret");
  });
});
