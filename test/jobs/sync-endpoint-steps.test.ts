import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDataServiceSettings } from "../../shared/dataservice";
import { createAppServices, type AppServices } from "../../shared/jobs";
import { uniqueOrganization } from "../support/data-service";
import { startTestHttpServer, type TestHttpServer } from "../support/delivery";
import { registerQueueStep } from "../support/system-jobs";
import { startTableProxy, type ProxiedRequest, type TableProxy } from "../../local/storage/table-proxy";
import { testPlugins, webApiClient } from "../pipeline/support";

const organization = uniqueOrganization("syncpost");

describe("a synchronous webhook step, its endpoint from the registration cache", () => {
  let storage: TableProxy;
  const requests: ProxiedRequest[] = [];
  let services: AppServices;
  let api: ReturnType<ReturnType<typeof webApiClient>>;
  const webApi = (method: string, path: string, body?: unknown) => api(method, path, { body, headers: { Prefer: "return=representation" } });
  let first: TestHttpServer;
  let second: TestHttpServer;
  let endpointId: string;

  beforeAll(async () => {
    // Every storage request of the app's services is seen, whichever client makes it.
    storage = await startTableProxy(process.env.AzureWebJobsStorage ?? "", (request) => {
      requests.push(request);
      return "forward";
    });
    const env = { AzureWebJobsStorage: storage.connectionString, Organizations: organization, AllowAnonymousAsAdmin: "true" };
    services = createAppServices(env, { plugins: testPlugins(), settings: readDataServiceSettings(env) });
    api = webApiClient(services.pipeline)(organization);
    [first, second] = await Promise.all([startTestHttpServer(), startTestHttpServer()]);
    await registerQueueStep(webApi, "", { table: "contact", mode: 0, endpoint: { name: "sync hook", contract: 8, authtype: 4, authvalue: "k", url: first.url } });
    endpointId = (await api("GET", "serviceendpoints?$filter=name eq 'sync hook'&$select=serviceendpointid")).json.value[0].serviceendpointid;
  });
  afterAll(async () => {
    await services.close();
    await Promise.all([first.close(), second.close(), storage.close()]);
  });

  it("posts within the Create, which costs its one commit and no read of the endpoint", async () => {
    await api("POST", "contacts", { body: { lastname: "Warm" } }); // loads the registrations
    const before = requests.length;
    expect((await api("POST", "contacts", { body: { lastname: "Posted" } })).status).toBe(204);
    expect(requests.slice(before).map((request) => `${request.method} ${request.url.split("?")[0]}`)).toEqual(["POST /devstoreaccount1/Records"]);
    expect(first.requests.map((request) => JSON.parse(request.body).InputParameters[0].value.Attributes.find((a: { key: string }) => a.key === "lastname")?.value)).toEqual(["Warm", "Posted"]);
  });

  it("uses an endpoint changed through the Web API at once, and drops its step with it when it is deleted", async () => {
    expect((await api("PATCH", `serviceendpoints(${endpointId})`, { body: { url: second.url } })).status).toBe(204);
    expect((await api("POST", "contacts", { body: { lastname: "Moved" } })).status).toBe(204);
    expect(second.requests).toHaveLength(1);

    const steps = `sdkmessageprocessingsteps?$filter=_eventhandler_value eq ${endpointId}&$select=sdkmessageprocessingstepid`;
    expect((await api("GET", steps)).json.value).toHaveLength(1);
    expect((await api("DELETE", `serviceendpoints(${endpointId})`)).status).toBe(204);
    expect((await api("GET", steps)).json.value).toEqual([]);
    expect((await api("POST", "contacts", { body: { lastname: "Unposted" } })).status).toBe(204);
    expect((await api("GET", "contacts?$filter=lastname eq 'Unposted'")).json.value).toHaveLength(1);
    expect(second.requests).toHaveLength(1);
  });
});
