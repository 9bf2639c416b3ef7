import { beforeAll, describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import { OperationStatus, PluginHttpStatusCode } from "../../shared/plugins";
import { pipelineForTests, registerStep } from "./support";

const org = uniqueOrganization("pe");
const { api: apiOf } = pipelineForTests([org]);
const api = apiOf(org);
const ALL_ANNOTATIONS = { Prefer: 'odata.include-annotations="*"' };
const HELP_LINK = "http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a";

async function accountsNamed(name: string): Promise<number> {
  return (await api("GET", `accounts?$filter=name eq '${name}'&$select=name`)).json.value.length;
}

describe("a plug-in's error as the Web API answers it", () => {
  let detailedStep: string;

  beforeAll(async () => {
    detailedStep = await registerStep(api, {
      message: "Create",
      table: "account",
      stage: 20,
      name: "Scripted: Create of account",
      script: { label: "detailed", onlyIfName: "detailed", trace: "Entering", throw: "invalid", invalid: { status: OperationStatus.Canceled, errorCode: 12345 } },
    });
    await registerStep(api, { message: "Create", table: "account", stage: 40, script: { label: "not found", onlyIfName: "not found", throw: "invalid", invalid: { httpStatus: PluginHttpStatusCode.NotFound } } });
    await registerStep(api, { message: "Create", table: "account", stage: 20, script: { onlyIfName: "unexpected", trace: "about to fail", throw: "error" } });
    await registerStep(api, { message: "Create", table: "account", stage: 20, script: { onlyIfName: "teapot", throw: "invalid", invalid: { httpStatus: 418 } } });
  });

  it("is code and message alone unless the request asks for annotations", async () => {
    const result = await api("POST", "accounts", { body: { name: "detailed" } });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: { code: "0x80040265", message: "Stopped by detailed." } });
  });

  it("carries the OperationStatus, the errorCode, the help link, the step's trace text and the inner message under Prefer: odata.include-annotations", async () => {
    const result = await api("POST", "accounts", { body: { name: "detailed" }, headers: ALL_ANNOTATIONS });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({
      error: {
        code: "0x80040265",
        message: "Stopped by detailed.",
        "@Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus": "1",
        "@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode": "12345",
        "@Microsoft.PowerApps.CDS.HelpLink": `${HELP_LINK}80040265&client=platform`,
        "@Microsoft.PowerApps.CDS.TraceText": `\r\n[scripted-plugin: scripted-plugin.Scripted ]\r\n[${detailedStep}: Scripted: Create of account] \r\n\r\n Entering at stage 20\r\n\r\n`,
        "@Microsoft.PowerApps.CDS.InnerError.Message": "Stopped by detailed.",
      },
    });
    expect(await accountsNamed("detailed")).toBe(0);
  });

  it("adds only the annotations asked for, by name or by a prefix ending in *", async () => {
    const result = await api("POST", "accounts", { body: { name: "detailed" }, headers: { Prefer: 'odata.include-annotations="Microsoft.PowerApps.CDS.ErrorDetails*,Microsoft.PowerApps.CDS.HelpLink"' } });
    expect(Object.keys(result.json.error)).toEqual([
      "code",
      "message",
      "@Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus",
      "@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode",
      "@Microsoft.PowerApps.CDS.HelpLink",
    ]);
  });

  it("answers with the PluginHttpStatusCode the exception names, and rolls the operation back", async () => {
    const result = await api("POST", "accounts", { body: { name: "not found" } });
    expect(result.status).toBe(404);
    expect(result.json).toEqual({ error: { code: "0x80040265", message: "Stopped by not found." } });
    expect(await accountsNamed("not found")).toBe(0);
  });

  it("gives an unexpected error's trace text, never its details", async () => {
    const result = await api("POST", "accounts", { body: { name: "unexpected" }, headers: ALL_ANNOTATIONS });
    expect(result.status).toBe(400);
    expect(result.json.error).toMatchObject({ code: "0x80040224", message: "An unexpected error occurred from ISV code.", "@Microsoft.PowerApps.CDS.HelpLink": `${HELP_LINK}80040224&client=platform` });
    expect(result.json.error["@Microsoft.PowerApps.CDS.TraceText"]).toContain(" about to fail at stage 20\r\n");
    expect(JSON.stringify(result.json)).not.toContain("secret internal detail");
  });

  it("treats a status PluginHttpStatusCode does not have as the plug-in's own bug: the ISV error", async () => {
    const result = await api("POST", "accounts", { body: { name: "teapot" } });
    expect(result.status).toBe(400);
    expect(result.json.error).toEqual({ code: "0x80040224", message: "An unexpected error occurred from ISV code." });
  });
});
