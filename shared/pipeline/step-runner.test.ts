import { describe, expect, it } from "vitest";
import { createContext } from "../model";
import { PluginCatalog } from "../plugins/catalog";
import type { IOrganizationService, IPlugin, IServiceEndpointNotificationService } from "../plugins/types";
import type { StepRegistration } from "./registrations";
import { StepRunner, TimeLimit } from "./step-runner";
import { TraceLog } from "./trace-log";

const constructed: (string | null)[] = [];

class Counting implements IPlugin {
  constructor(unsecureConfig: string | null) {
    constructed.push(unsecureConfig);
  }
  async execute(): Promise<void> {}
}

const step = (configuration: string): StepRegistration => ({
  id: "7b1c2f0e-0c1d-4a57-9a3b-6b1f6a0c9e11",
  name: "Counting: Create of account",
  message: "Create",
  primaryTable: "account",
  stage: 20,
  mode: 0,
  rank: 1,
  sequence: 1,
  filteringAttributes: [],
  configuration,
  secureConfiguration: null,
  asyncAutoDelete: false,
  handler: { kind: "plugintype", id: "5d2b9c1e-7f3a-4c2b-8e1d-0a9b8c7d6e5f", typeName: "counting.Counting" },
  images: [],
});

describe("StepRunner", () => {
  it("reuses a plug-in instance across registration reloads and builds a new one when the step's configuration changes", async () => {
    const runner = new StepRunner(new PluginCatalog({ counting: { Counting } }), () => ({}) as IServiceEndpointNotificationService, 10_000);
    const run = (registration: StepRegistration) =>
      runner.run({ organization: "contoso", step: registration, context: createContext({ messageName: "Create", primaryEntityName: "account" }), organizationService: {} as IOrganizationService, timeLimit: new TimeLimit() }, new TraceLog(0));
    await run(step("a"));
    await run(step("a")); // a reloaded registration: a new object for the same step
    expect(constructed).toEqual(["a"]);
    await run(step("b"));
    await run(step("b"));
    expect(constructed).toEqual(["a", "b"]);
  });
});
