import { describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import type { EntityReference, RemoteExecutionContext } from "../../shared/model";
import { idFromHeader, pipelineForTests, stepBody } from "./support";

const org = uniqueOrganization("pe");
const posted: { endpoint: EntityReference; context: RemoteExecutionContext }[] = [];
const { api: apiOf } = pipelineForTests([org], {
  notifications: () => ({ execute: async (endpoint, context) => (posted.push({ endpoint, context }), "accepted") }),
});
const api = apiOf(org);

describe("synchronous service-endpoint steps", () => {
  it("post the step's context through the notification service", async () => {
    const endpoint = idFromHeader(await api("POST", "serviceendpoints", { body: { name: "hook", contract: 8, url: "https://example.com/hook", authtype: 4, authvalue: "k" } }));
    const { "eventhandler_plugintype@odata.bind": _plugin, ...body } = await stepBody(api, { message: "Create", table: "account", stage: 40, name: "hook: Create of account" });
    const step = idFromHeader(await api("POST", "sdkmessageprocessingsteps", { body: { ...body, "eventhandler_serviceendpoint@odata.bind": `/serviceendpoints(${endpoint})` } }));
    const account = idFromHeader(await api("POST", "accounts", { body: { name: "Posted Ltd" } }));
    expect(posted).toHaveLength(1);
    expect(posted[0].endpoint).toMatchObject({ logicalName: "serviceendpoint", id: endpoint, name: "hook" });
    expect(posted[0].context).toMatchObject({ stage: 40, mode: 0, isInTransaction: true, primaryEntityId: account, messageName: "Create" });
    expect(posted[0].context.owningExtension?.id).toBe(step);
  });
});
