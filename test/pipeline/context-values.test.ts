import { beforeAll, describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import { pipelineForTests, registerStep } from "./support";

const org = uniqueOrganization("pv");
const { api: apiOf } = pipelineForTests([org]);
const api = apiOf(org);

const VALUES = { function: "a function", object: "a plain object", date: "a JS Date" } as const;
type Unsupported = keyof typeof VALUES;

async function accountsNamed(name: string): Promise<number> {
  return (await api("GET", `accounts?$filter=name eq '${name}'&$select=name`)).json.value.length;
}

/** A value no execution context can hold fails the plug-in, naming where it was put, whether or not a step would serialize the context. */
describe("values a plug-in puts where the context cannot hold them", () => {
  beforeAll(async () => {
    for (const value of Object.keys(VALUES) as Unsupported[]) {
      await registerStep(api, { message: "Create", table: "account", stage: 20, script: { onlyIfName: `shared ${value}`, setUnsupported: { into: "shared", key: "total", value } } });
      await registerStep(api, { message: "Create", table: "account", stage: 40, script: { onlyIfName: `target ${value}`, setUnsupported: { into: "target", key: "description", value } } });
    }
  });

  const refusals = async () => {
    for (const [value, described] of Object.entries(VALUES)) {
      const shared = await api("POST", "accounts", { body: { name: `shared ${value}` } });
      expect([shared.status, shared.json.error.code, shared.json.error.message]).toEqual([400, "0x80040224", expect.stringContaining(`The value of SharedVariables["total"] is ${described}`)]);
      const target = await api("POST", "accounts", { body: { name: `target ${value}` } });
      expect([target.status, target.json.error.code, target.json.error.message]).toEqual([
        400,
        "0x80040224",
        expect.stringContaining(`The value of InputParameters["Target"] is an Entity whose attribute 'description' is ${described}`),
      ]);
      expect(await accountsNamed(`shared ${value}`)).toBe(0);
      expect(await accountsNamed(`target ${value}`)).toBe(0);
    }
  };

  it("with synchronous steps only", refusals);

  it("with an asynchronous step, whose system job would serialize the context", async () => {
    await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, script: {} });
    await refusals();
    expect((await api("GET", "asyncoperations?$select=name")).json.value).toHaveLength(0);
  });
});
