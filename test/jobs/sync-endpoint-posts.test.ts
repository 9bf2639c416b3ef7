import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDataServiceSettings } from "../../shared/dataservice";
import { isPipelineError } from "../../shared/errors";
import { createAppServices, type AppServices } from "../../shared/jobs";
import { Entity, EntityReference, type IPlugin, type PluginExecution } from "../../shared/plugins";
import { createContext } from "../../shared/model";
import { PluginCatalog } from "../../shared/plugins/catalog";
import * as accountDefaults from "../../plugins/account-defaults";
import * as scripted from "../pipeline/scripted-plugin";
import { uniqueOrganization } from "../support/data-service";
import { startTestHttpServer, type TestHttpServer } from "../support/delivery";
import { stepBody, webApiClient } from "../pipeline/support";

/** A plug-in that posts its context to the service endpoint named by its configuration and keeps the answer in Target's description. */
class Relay implements IPlugin {
  constructor(private readonly serviceEndpointId: string | null) {}

  async execute({ context, notificationService }: PluginExecution): Promise<void> {
    const answer = await notificationService.execute(new EntityReference("serviceendpoint", this.serviceEndpointId ?? ""), context);
    const target = context.inputParameters.get("Target");
    if (target instanceof Entity) target.set("description", answer);
  }
}

/**
 * A plug-in that posts a context it builds itself (createContext), naming the organization its
 * configuration gives ("" when none, as createContext leaves it), to the service endpoint its configuration names.
 */
class OwnContextRelay implements IPlugin {
  constructor(private readonly configuration: string | null) {}

  async execute({ context, notificationService }: PluginExecution): Promise<void> {
    const { serviceEndpointId, organizationName } = JSON.parse(this.configuration ?? "{}") as { serviceEndpointId: string; organizationName?: string };
    const built = createContext({ messageName: context.messageName, primaryEntityName: context.primaryEntityName, primaryEntityId: context.primaryEntityId, organizationName });
    await notificationService.execute(new EntityReference("serviceendpoint", serviceEndpointId), built);
  }
}

const DOMAIN = "crm.example.test";
const organizations = {
  retried: uniqueOrganization("sretry"),
  failed: uniqueOrganization("sfail"),
  rejectedAt20: uniqueOrganization("srej20"),
  rejectedAt40: uniqueOrganization("srej40"),
  relayed: uniqueOrganization("srelay"),
  job: uniqueOrganization("sjob"),
  contoso: uniqueOrganization("scontoso"),
  fabrikam: uniqueOrganization("sfabrikam"),
};

/**
 * Synchronous service-endpoint steps through the app's services (the poster and notification service the
 * Functions app builds), against real HTTP endpoints: Dataverse's one retry of 502/503/504, the rollback
 * when an endpoint fails, a listener's answer reaching a plug-in, and x-ms-dynamics-organization.
 */
describe("synchronous service-endpoint posts", () => {
  let services: AppServices;
  let server: TestHttpServer;
  const apiOf = (organization: string) => webApiClient(services.pipeline)(organization);

  beforeAll(async () => {
    const env = {
      AzureWebJobsStorage: process.env.AzureWebJobsStorage,
      Organizations: Object.values(organizations).join(","),
      AllowAnonymousAsAdmin: "true",
      OrganizationDomain: DOMAIN,
    };
    const plugins = new PluginCatalog({ "scripted-plugin": scripted, "account-defaults": accountDefaults, relay: { Relay, OwnContextRelay } });
    services = createAppServices(env, { plugins, settings: readDataServiceSettings(env) });
    server = await startTestHttpServer();
  });
  afterAll(async () => {
    await services.close();
    await server.close();
  });

  /** A service endpoint and a step on account Create for it; returns the endpoint's id. */
  async function endpointStep(organization: string, endpoint: Record<string, unknown>, step: { stage: number; mode?: number }): Promise<string> {
    const api = apiOf(organization);
    const created = await api("POST", "serviceendpoints", { body: { name: "hook", contract: 8, authtype: 4, authvalue: "k", url: server.url, ...endpoint } });
    expect(created.status).toBe(204);
    const endpointId = /\(([0-9a-f-]{36})\)$/.exec(created.headers.get("OData-EntityId") ?? "")![1];
    const { "eventhandler_plugintype@odata.bind": _plugin, ...body } = await stepBody(api, { message: "Create", table: "account", name: `hook at ${step.stage}`, ...step });
    const registered = await api("POST", "sdkmessageprocessingsteps", { body: { ...body, "eventhandler_serviceendpoint@odata.bind": `/serviceendpoints(${endpointId})` } });
    expect(registered.status).toBe(204);
    return endpointId;
  }

  const accountsNamed = async (organization: string, name: string) => (await apiOf(organization)("GET", `accounts?$filter=name eq '${name}'&$select=name,description`)).json.value;

  it("retries a webhook answering 503 once, with the same message id, and the Create succeeds", async () => {
    const organization = organizations.retried;
    await endpointStep(organization, { signingsecret: "s3cret" }, { stage: 40 });
    server.requests.length = 0;
    server.statuses.push(503);
    expect((await apiOf(organization)("POST", "accounts", { body: { name: "Second time lucky" } })).status).toBe(204);
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(second.headers["x-pipeline-message-id"]).toBe(first.headers["x-pipeline-message-id"]);
    expect(second.body).toBe(first.body);
    expect(await accountsNamed(organization, "Second time lucky")).toHaveLength(1);
    // The environment's domain name (setting OrganizationDomain), as Dataverse's contoso.crm.dynamics.com.
    expect(first.headers["x-ms-dynamics-organization"]).toBe(`${organization}.${DOMAIN}`);
  });

  it("fails the Create after 502 then 504, with a clear error, and commits nothing", async () => {
    const organization = organizations.failed;
    await endpointStep(organization, {}, { stage: 40 });
    server.requests.length = 0;
    server.statuses.push(502, 504);
    const refused = await apiOf(organization)("POST", "accounts", { body: { name: "Gateway down" } });
    expect(server.requests).toHaveLength(2);
    expect([refused.status, refused.json.error]).toEqual([502, { code: "0x80044306", message: `${server.url} answered 504` }]);
    expect(await accountsNamed(organization, "Gateway down")).toEqual([]);
  });

  it.each([
    [20, 400],
    [40, 500],
  ])("rolls the Create back when a stage %i webhook step answers %i (no retry, no row)", async (stage, status) => {
    const organization = stage === 20 ? organizations.rejectedAt20 : organizations.rejectedAt40;
    await endpointStep(organization, {}, { stage });
    server.requests.length = 0;
    server.statuses.push(status);
    const refused = await apiOf(organization)("POST", "accounts", { body: { name: `Refused at ${stage}` } });
    expect(server.requests).toHaveLength(1);
    expect(JSON.parse(server.requests[0].body)).toMatchObject({ Stage: stage, Mode: 0 });
    expect([refused.status, refused.json.error]).toEqual([502, { code: "0x80044306", message: `${server.url} answered ${status}` }]);
    expect(await accountsNamed(organization, `Refused at ${stage}`)).toEqual([]);
    expect((await apiOf(organization)("GET", "accounts?$select=name")).json.value).toEqual([]);
  });

  it("hands a REST endpoint's answer to the plug-in that called notificationService.execute", async () => {
    const organization = organizations.relayed;
    const api = apiOf(organization);
    const created = await api("POST", "serviceendpoints", { body: { name: "rest", contract: 3, messageformat: 3, authtype: 4, authvalue: "k", url: server.url } });
    const endpointId = /\(([0-9a-f-]{36})\)$/.exec(created.headers.get("OData-EntityId") ?? "")![1];
    const step = await stepBody(api, { message: "Create", table: "account", stage: 20, type: "relay.Relay", configuration: endpointId });
    expect((await api("POST", "sdkmessageprocessingsteps", { body: step })).status).toBe(204);
    server.requests.length = 0;
    server.replyBody = "approved by the REST listener";
    try {
      expect((await api("POST", "accounts", { body: { name: "Relayed" } })).status).toBe(204);
    } finally {
      server.replyBody = "";
    }
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].headers["content-type"]).toBe("application/xml; charset=utf-8");
    expect(server.requests[0].headers["x-ms-dynamics-organization"]).toBe(`${organization}.${DOMAIN}`);
    expect(await accountsNamed(organization, "Relayed")).toMatchObject([{ name: "Relayed", description: "approved by the REST listener" }]);
  });

  it("posts a plug-in's own context only to endpoints of the organization the plug-in runs in, whatever organization the context names", async () => {
    const [contoso, fabrikam] = [apiOf(organizations.contoso), apiOf(organizations.fabrikam)];
    const endpointOf = async (api: typeof contoso, name: string) => {
      const created = await api("POST", "serviceendpoints", { body: { name, contract: 8, authtype: 4, authvalue: "k", url: server.url } });
      expect(created.status).toBe(204);
      return /\(([0-9a-f-]{36})\)$/.exec(created.headers.get("OData-EntityId") ?? "")![1];
    };
    const [own, foreign] = [await endpointOf(contoso, "contoso's hook"), await endpointOf(fabrikam, "fabrikam's hook")];
    const relayStep = async (name: string, configuration: object) => {
      const step = await stepBody(contoso, { message: "Create", table: "account", stage: 20, name, type: "relay.OwnContextRelay", configuration: JSON.stringify(configuration) });
      const registered = await contoso("POST", "sdkmessageprocessingsteps", { body: step });
      expect(registered.status).toBe(204);
      return /\(([0-9a-f-]{36})\)$/.exec(registered.headers.get("OData-EntityId") ?? "")![1];
    };

    // A context naming fabrikam, from a plug-in in contoso: fabrikam's endpoint is not found there, nothing is posted.
    const foreignStep = await relayStep("to fabrikam's endpoint", { serviceEndpointId: foreign, organizationName: organizations.fabrikam });
    server.requests.length = 0;
    const refused = await contoso("POST", "accounts", { body: { name: "Crossing over" } });
    expect([refused.status, refused.json.error.message]).toEqual([404, `serviceendpoint With Id = ${foreign} Does Not Exist`]);
    expect(server.requests).toHaveLength(0);
    expect((await contoso("DELETE", `sdkmessageprocessingsteps(${foreignStep})`)).status).toBe(204);

    // A context createContext built (OrganizationName ""): contoso's own endpoint, posted as contoso.
    await relayStep("to contoso's endpoint", { serviceEndpointId: own });
    expect((await contoso("POST", "accounts", { body: { name: "Staying home" } })).status).toBe(204);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].headers["x-ms-dynamics-organization"]).toBe(`${organizations.contoso}.${DOMAIN}`);
  });

  it("sends the organization's domain name from a system job's post too", async () => {
    const organization = organizations.job;
    await endpointStep(organization, { name: "async hook" }, { stage: 40, mode: 1 });
    server.requests.length = 0;
    expect((await apiOf(organization)("POST", "accounts", { body: { name: "Later" } })).status).toBe(204);
    expect(server.requests).toHaveLength(0);
    const jobId = (await apiOf(organization)("GET", "asyncoperations?$select=asyncoperationid")).json.value[0].asyncoperationid as string;
    expect(await services.jobs.attempt({ organization, jobId })).toEqual({ kind: "completed", statuscode: 30 });
    expect(server.requests.map((request) => request.headers["x-ms-dynamics-organization"])).toEqual([`${organization}.${DOMAIN}`]);
  });

  it("refuses an OrganizationDomain that is not a domain name, naming the setting", () => {
    const env = { AzureWebJobsStorage: process.env.AzureWebJobsStorage, Organizations: organizations.job, OrganizationDomain: "https://crm.example.test/" };
    let error: unknown;
    try {
      createAppServices(env, { settings: readDataServiceSettings(env) });
    } catch (caught) {
      error = caught;
    }
    expect(isPipelineError(error) && [error.code, error.message]).toEqual([
      "ValidationFailed",
      "Setting OrganizationDomain: 'https://crm.example.test/' is not a domain name such as crm.contoso.com.",
    ]);
  });
});
