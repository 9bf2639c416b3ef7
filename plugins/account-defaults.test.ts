import { describe, expect, it } from "vitest";
import { uniqueOrganization } from "../test/support/data-service";
import { idFromHeader, pipelineForTests, registerStep } from "../test/pipeline/support";

const org = uniqueOrganization("ps");
const { api: apiOf } = pipelineForTests([org]);
const api = apiOf(org);

describe("AccountDefaults sample plug-in", () => {
  it("fills in the configured telephone number and refuses a one-letter name", async () => {
    await registerStep(api, { message: "Create", table: "account", stage: 20, type: "account-defaults.AccountDefaults", name: "Account defaults", configuration: "" });
    const id = idFromHeader(await api("POST", "accounts", { body: { name: "Fabrikam" } }));
    expect((await api("GET", `accounts(${id})?$select=telephone1`)).json.telephone1).toBe("+1 555 0100");
    const refused = await api("POST", "accounts", { body: { name: "F" } });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toEqual({ code: "0x80040265", message: "An account name needs at least two characters." });
  });
});
