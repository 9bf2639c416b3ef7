import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDataServiceSettings } from "../../shared/dataservice";
import { createAppServices, type AppServices } from "../../shared/jobs";
import { uniqueOrganization } from "../support/data-service";
import { startTestHttpServer, type TestHttpServer } from "../support/delivery";
import { idFromHeader, stepBody, testPlugins, webApiClient } from "./support";

const org = uniqueOrganization("pe");

describe("synchronous service-endpoint steps", () => {
  let services: AppServices;
  let hook: TestHttpServer;
  let api: ReturnType<ReturnType<typeof webApiClient>>;

  beforeAll(async () => {
    // The app's own services: the notification service posts with the real poster to a real HTTP server.
    const env = { AzureWebJobsStorage: process.env.AzureWebJobsStorage, Organizations: org, AllowAnonymousAsAdmin: "true" };
    services = createAppServices(env, { plugins: testPlugins(), settings: readDataServiceSettings(env) });
    api = webApiClient(services.pipeline)(org);
    hook = await startTestHttpServer();
  });
  afterAll(async () => {
    await services?.close();
    await hook?.close();
  });

  it("post the step's context to the endpoint, within the operation", async () => {
    const endpoint = idFromHeader(await api("POST", "serviceendpoints", { body: { name: "hook", contract: 8, url: hook.url, authtype: 4, authvalue: "k" } }));
    const { "eventhandler_plugintype@odata.bind": _plugin, ...body } = await stepBody(api, { message: "Create", table: "account", stage: 40, name: "hook: Create of account" });
    const step = idFromHeader(await api("POST", "sdkmessageprocessingsteps", { body: { ...body, "eventhandler_serviceendpoint@odata.bind": `/serviceendpoints(${endpoint})` } }));
    const account = idFromHeader(await api("POST", "accounts", { body: { name: "Posted Ltd" } }));

    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request.method).toBe("POST");
    expect(request.url.pathname).toBe("/hook");
    expect(request.url.searchParams.get("code")).toBe("k");
    const posted = JSON.parse(request.body);
    expect(posted).toMatchObject({ Stage: 40, Mode: 0, IsInTransaction: true, PrimaryEntityId: account, PrimaryEntityName: "account", MessageName: "Create" });
    expect(posted.OwningExtension).toMatchObject({ Id: step, LogicalName: "sdkmessageprocessingstep" });
  });
});
