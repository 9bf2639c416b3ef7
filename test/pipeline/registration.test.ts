import { beforeAll, describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import { pluginTypeId } from "../../shared/pipeline";
import { PluginCatalog } from "../../shared/plugins/catalog";
import { seen } from "./scripted-plugin";
import { idFromHeader, pipelineForTests, registerImage, registerStep, stepBody, SCRIPTED } from "./support";

const org = uniqueOrganization("pr");
const { api: apiOf, service } = pipelineForTests([org]);
const api = apiOf(org);

async function refused(body: Record<string, unknown>, path = "sdkmessageprocessingsteps"): Promise<string> {
  const result = await api("POST", path, { body });
  expect(result.status).toBe(400);
  return result.json.error.message as string;
}

describe("registration", () => {
  let createStep: string;
  let deleteStep: string;
  let preUpdateStep: string;

  beforeAll(async () => {
    createStep = await registerStep(api, { message: "Create", table: "account", stage: 40, script: {} });
    deleteStep = await registerStep(api, { message: "Delete", table: "account", stage: 40, script: {} });
    preUpdateStep = await registerStep(api, { message: "Update", table: "account", stage: 20, script: {} });
  });

  it("lists every deployed plug-in as a plugintype row named <module>.<Export>", async () => {
    const types = await api("GET", "plugintypes?$select=name&$orderby=name");
    expect(types.json.value.map((row: { name: string }) => row.name)).toEqual(["account-defaults.AccountDefaults", SCRIPTED]);
    expect(types.json.value[1].plugintypeid).toBe(pluginTypeId(org, SCRIPTED));
  });

  it("refuses an asynchronous step outside post-operation", async () => {
    expect(await refused(await stepBody(api, { message: "Create", table: "account", stage: 20, mode: 1 }))).toMatch(/post-operation/);
  });

  it("refuses an unknown message, an unknown table and an unknown filtering column", async () => {
    const body = await stepBody(api, { message: "Update", table: "account", stage: 20 });
    expect(await refused({ ...body, "sdkmessageid@odata.bind": "/sdkmessages(00000000-0000-0000-0000-00000000abcd)" })).toMatch(/sdkmessage With Id/);
    const message = /\((.+)\)/.exec(String(body["sdkmessageid@odata.bind"]))![1];
    expect(await refused({ primaryobjecttypecode: "nosuchtable", "sdkmessageid@odata.bind": `/sdkmessages(${message})` }, "sdkmessagefilters")).toMatch(/nosuchtable/);
    expect(await refused({ ...body, filteringattributes: "name,nosuchcolumn" })).toMatch(/'nosuchcolumn' is not a column of account/);
  });

  it("refuses a step whose message filter belongs to another message, on create and on a change of either lookup", async () => {
    const update = await stepBody(api, { message: "Update", table: "account", stage: 20, script: { label: "mismatched" } });
    const deleteBody = await stepBody(api, { message: "Delete", table: "account", stage: 20 });
    const deleteFilter = deleteBody["sdkmessagefilterid@odata.bind"];
    const reason = /this message filter is for the Delete message \(on account\), not the step's Update message/;
    expect(await refused({ ...update, "sdkmessagefilterid@odata.bind": deleteFilter })).toMatch(reason);
    const account = idFromHeader(await api("POST", "accounts", { body: { name: "Unfiltered" } }));
    expect((await api("PATCH", `accounts(${account})`, { body: { name: "Updated" } })).status).toBe(204);
    expect(seen.get(org)?.some((entry) => entry.label === "mismatched")).toBe(false);

    const step = idFromHeader(await api("POST", "sdkmessageprocessingsteps", { body: update }));
    const change = async (body: Record<string, unknown>) => {
      const result = await api("PATCH", `sdkmessageprocessingsteps(${step})`, { body });
      return [result.status, result.json?.error?.message];
    };
    expect(await change({ "sdkmessagefilterid@odata.bind": deleteFilter })).toEqual([400, expect.stringMatching(reason)]);
    expect(await change({ "sdkmessageid@odata.bind": deleteBody["sdkmessageid@odata.bind"] })).toEqual([400, expect.stringMatching(/for the Update message \(on account\), not the step's Delete message/)]);
    expect(await change({ "sdkmessageid@odata.bind": deleteBody["sdkmessageid@odata.bind"], "sdkmessagefilterid@odata.bind": deleteFilter })).toEqual([204, undefined]);
  });

  it("refuses images the message or stage cannot have", async () => {
    const status = async (step: string, image: Parameters<typeof registerImage>[2]) => {
      const result = await registerImage(api, step, image);
      return [result.status, result.json?.error?.message];
    };
    expect(await status(createStep, { imagetype: 0, entityalias: "pre" })).toEqual([400, "A pre-image is not available on the Create message."]);
    expect(await status(deleteStep, { imagetype: 1, entityalias: "post" })).toEqual([400, "A post-image is not available on the Delete message."]);
    expect(await status(preUpdateStep, { imagetype: 2, entityalias: "both" })).toEqual([400, "A post-image is available only to post-operation (stage 40) steps."]);
    expect((await status(preUpdateStep, { imagetype: 0, entityalias: "pre", attributes: "name,nosuchcolumn" }))[1]).toMatch(/'nosuchcolumn' is not a column of account/);
    expect((await status(createStep, { imagetype: 1, entityalias: "post", attributes: "name" }))[0]).toBe(204);
  });

  it("refuses steps on Assign and SetState, which no request raises, naming the Update step that runs instead", async () => {
    const assign = await stepBody(api, { message: "Assign", table: "account", stage: 40 });
    expect(await refused(assign)).toMatch(/Steps on the Assign message are not supported.*Register the step on the Update message with filteringattributes 'ownerid'\./);
    expect(await refused(await stepBody(api, { message: "SetState", table: "account", stage: 40 }))).toMatch(/Register the step on the Update message with filteringattributes 'statecode,statuscode'\./);
    const step = idFromHeader(await api("POST", "sdkmessageprocessingsteps", { body: await stepBody(api, { message: "Update", stage: 40 }) }));
    const moved = await api("PATCH", `sdkmessageprocessingsteps(${step})`, { body: { "sdkmessageid@odata.bind": assign["sdkmessageid@odata.bind"] } });
    expect([moved.status, moved.json.error.message]).toEqual([400, expect.stringMatching(/Steps on the Assign message are not supported/)]);
  });

  it("refuses a change of a step its images would no longer fit (stage, message, table), checked as when an image is written", async () => {
    const step = await registerStep(api, { message: "Update", table: "account", stage: 40, script: {} });
    expect((await registerImage(api, step, { imagetype: 2, entityalias: "both", attributes: "name" })).status).toBe(204);
    const change = async (body: Record<string, unknown>) => {
      const result = await api("PATCH", `sdkmessageprocessingsteps(${step})`, { body });
      return [result.status, result.json?.error?.message];
    };
    const image = (reason: string) => expect.stringMatching(new RegExp(`^The step's image 'both' \\([0-9a-f-]{36}\\) would no longer be valid: ${reason}`));
    expect(await change({ stage: 20 })).toEqual([400, image("A post-image is available only to post-operation \\(stage 40\\) steps\\.")]);
    const create = await stepBody(api, { message: "Create", table: "account", stage: 40 });
    expect(await change({ "sdkmessageid@odata.bind": create["sdkmessageid@odata.bind"], "sdkmessagefilterid@odata.bind": create["sdkmessagefilterid@odata.bind"] })).toEqual([
      400,
      image("A pre-image is not available on the Create message\\."),
    ]);
    const contact = await stepBody(api, { message: "Update", table: "contact", stage: 40 });
    expect(await change({ "sdkmessagefilterid@odata.bind": contact["sdkmessagefilterid@odata.bind"] })).toEqual([400, image("attributes: 'name' is not a column of contact\\.")]);
    expect((await api("GET", `sdkmessageprocessingsteps(${step})?$select=stage`)).json.stage).toBe(40);
    expect(await change({ rank: 5 })).toEqual([204, undefined]);
  });

  it("keeps the secure configuration write-only and hands it to the plug-in", async () => {
    const body = await stepBody(api, { message: "Create", table: "contact", stage: 20, script: { label: "secure" } });
    const step = idFromHeader(await api("POST", "sdkmessageprocessingsteps", { body: { ...body, secureconfig: "s3cret" } }));
    const read = await api("GET", `sdkmessageprocessingsteps(${step})`);
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.json)).not.toContain("s3cret");
    expect((await api("GET", `sdkmessageprocessingsteps(${step})?$select=secureconfig`)).status).toBe(400);
    await api("POST", "contacts", { body: { firstname: "Secure", lastname: "Contact" } });
    expect(seen.get(org)?.find((entry) => entry.label === "secure")?.secureConfig).toBe("s3cret");
  });

  it("lets a plug-in register a filter, a step on it and the step's image in one request, checked against the rows it wrote", async () => {
    const update = (await api("GET", "sdkmessages?$filter=name eq 'Update'&$select=sdkmessageid")).json.value[0].sdkmessageid as string;
    const register = (filteringattributes: string) => ({ sdkmessageid: update, plugintypeid: pluginTypeId(org, SCRIPTED), table: "contact", filteringattributes, imageattributes: "firstname,lastname" });
    await registerStep(api, { message: "Create", table: "account", stage: 40, script: { onlyIfName: "registers", register: register("lastname") } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, script: { onlyIfName: "registers badly", register: register("lastname,nosuchcolumn") } });
    const stepsNamed = async () => (await api("GET", "sdkmessageprocessingsteps?$filter=name eq 'registered by a plug-in: Update of contact'&$select=filteringattributes")).json.value;

    const refused = await api("POST", "accounts", { body: { name: "registers badly" } });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/'nosuchcolumn' is not a column of contact/);
    expect(await stepsNamed()).toEqual([]);

    expect((await api("POST", "accounts", { body: { name: "registers" } })).status).toBe(204);
    const [step] = await stepsNamed();
    expect(step.filteringattributes).toBe("lastname");
    const images = await api("GET", `sdkmessageprocessingstepimages?$filter=_sdkmessageprocessingstepid_value eq ${step.sdkmessageprocessingstepid}&$select=entityalias,attributes`);
    expect(images.json.value).toMatchObject([{ entityalias: "pre", attributes: "firstname,lastname" }]);
  });

  it("stops running a disabled step", async () => {
    const step = await registerStep(api, { message: "Create", table: "contact", stage: 20, script: { throw: "invalid", label: "disabled" } });
    expect((await api("POST", "contacts", { body: { lastname: "Blocked" } })).status).toBe(400);
    expect((await api("PATCH", `sdkmessageprocessingsteps(${step})`, { body: { statecode: 1 } })).status).toBe(204);
    expect((await api("POST", "contacts", { body: { lastname: "Allowed" } })).status).toBe(204);
  });

  it("refuses a plug-in type the app does not deploy, on create and on a change of its typename: no step can be registered on it", async () => {
    const message = await refused({ name: "missing.Plugin", typename: "missing.Plugin" }, "plugintypes");
    expect(message).toBe(`typename: PluginType [missing.Plugin] not found in PluginAssembly: it is not a plug-in deployed with this app (deployed: account-defaults.AccountDefaults, ${SCRIPTED}).`);
    expect((await api("GET", "plugintypes?$filter=name eq 'missing.Plugin'")).json.value).toEqual([]);
    const type = pluginTypeId(org, SCRIPTED);
    expect((await api("PATCH", `plugintypes(${type})`, { body: { typename: "missing.Plugin" } })).status).toBe(400);
    // The label may change; the class a step runs is the row's typename, as in Dataverse.
    expect((await api("PATCH", `plugintypes(${type})`, { body: { name: "Scripted (relabelled)" } })).status).toBe(204);
    await registerStep(api, { message: "Create", table: "contact", stage: 20, script: { label: "relabelled" } });
    expect((await api("POST", "contacts", { body: { lastname: "Relabelled" } })).status).toBe(204);
    expect(seen.get(org)?.some((entry) => entry.label === "relabelled")).toBe(true);
  });

  it("fails a step whose plug-in type is no longer deployed with the app", async () => {
    // A deployment with one more plug-in (its plugintype row written when it first served) registers a step on it;
    // the app deployed next no longer has it.
    const previous = pipelineForTests([org], { plugins: new PluginCatalog({ removed: { Plugin: class { execute() {} } } }) }).api(org);
    const { "eventhandler_plugintype@odata.bind": _deployed, ...body } = await stepBody(previous, { message: "Delete", table: "contact", stage: 20 });
    const type = pluginTypeId(org, "removed.Plugin");
    expect((await previous("POST", "sdkmessageprocessingsteps", { body: { ...body, "eventhandler_plugintype@odata.bind": `/plugintypes(${type})` } })).status).toBe(204);
    service.registrations.invalidate(org); // as this instance would after the cache's time to live
    const contact = idFromHeader(await api("POST", "contacts", { body: { lastname: "Kept" } }));
    const result = await api("DELETE", `contacts(${contact})`);
    expect(result.status).toBe(400);
    expect(result.json.error).toMatchObject({ code: "0x80040224", message: expect.stringContaining("Unable to load plug-in type 'removed.Plugin'") });
    expect((await api("GET", `contacts(${contact})`)).status).toBe(200);
  });
});
