import { describe, expect, it } from "vitest";
import { toDataverseErrorResponse, type PipelineError } from "../errors";
import { createContext } from "../model";
import { PluginCatalog } from "../plugins/catalog";
import { InvalidPluginExecutionError } from "../plugins/errors";
import type { IOrganizationService, IPlugin, IServiceEndpointNotificationService, PluginExecution } from "../plugins/types";
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
      runner.run({ organization: "contoso", step: registration, context: createContext({ messageName: "Create", primaryEntityName: "account" }), organizationServices: { stepService: {} as IOrganizationService, createOrganizationService: () => ({}) as IOrganizationService }, timeLimit: new TimeLimit() }, new TraceLog(0));
    await run(step("a"));
    await run(step("a")); // a reloaded registration: a new object for the same step
    expect(constructed).toEqual(["a"]);
    await run(step("b"));
    await run(step("b"));
    expect(constructed).toEqual(["a", "b"]);
  });

  it("formats a traced line as ITracingService.Trace does: .NET's {0} items as Dataverse samples write them, else Node's %s", async () => {
    class Tracing implements IPlugin {
      execute({ tracingService }: PluginExecution): void {
        tracingService.trace("FollowUpPlugin: {0} of {1} ({0}), {{literal}}", "Create", "account");
        tracingService.trace("%s at stage %d", "checked", 20);
        tracingService.trace("no arguments: {0}");
        throw new InvalidPluginExecutionError("stop");
      }
    }
    const runner = new StepRunner(new PluginCatalog({ tracing: { Tracing } }), () => ({}) as IServiceEndpointNotificationService, 10_000);
    const services = { stepService: {} as IOrganizationService, createOrganizationService: () => ({}) as IOrganizationService };
    const registration: StepRegistration = { ...step(""), handler: { kind: "plugintype", id: "5d2b9c1e-7f3a-4c2b-8e1d-0a9b8c7d6e5f", typeName: "tracing.Tracing" } };
    const failure = await runner
      .run({ organization: "contoso", step: registration, context: createContext({ messageName: "Create" }), organizationServices: services, timeLimit: new TimeLimit() }, new TraceLog(0))
      .catch((error: unknown) => error as PipelineError);
    expect(failure?.annotations?.["Microsoft.PowerApps.CDS.TraceText"]).toContain(" FollowUpPlugin: Create of account (Create), {literal}\r\nchecked at stage 20\r\nno arguments: {0}\r\n");
  });

  const runOne = async (plugin: new () => IPlugin, timeoutMs = 10_000) => {
    const runner = new StepRunner(new PluginCatalog({ one: { Plugin: plugin } }), () => ({}) as IServiceEndpointNotificationService, timeoutMs);
    const services = { stepService: {} as IOrganizationService, createOrganizationService: () => ({}) as IOrganizationService };
    const registration: StepRegistration = { ...step(""), handler: { kind: "plugintype", id: "5d2b9c1e-7f3a-4c2b-8e1d-0a9b8c7d6e5f", typeName: "one.Plugin" } };
    const timeLimit = new TimeLimit();
    const failure = await runner
      .run({ organization: "contoso", step: registration, context: createContext({ messageName: "Create" }), organizationServices: services, timeLimit }, new TraceLog(0))
      .then(() => undefined, (error: unknown) => error as PipelineError);
    return { failure, timeLimit };
  };

  it("fails a synchronous plug-in that returned after its time was up, as one that awaited would", async () => {
    class Busy implements IPlugin {
      execute(): void {
        const until = performance.now() + 80;
        while (performance.now() < until);
      }
    }
    const { failure, timeLimit } = await runOne(Busy, 30);
    expect(failure).toMatchObject({ code: "Timeout" });
    expect(timeLimit.exceeded).toBe(true);
  });

  it("answers an InvalidPluginExecutionError whose details its plug-in changed after the constructor checked them with the defaults", async () => {
    class Tampering implements IPlugin {
      execute(): void {
        throw Object.assign(new InvalidPluginExecutionError("stop"), { httpStatus: 200, status: 42, errorCode: "x" });
      }
    }
    const { failure } = await runOne(Tampering);
    expect(failure).toMatchObject({ code: "PluginCancelled", message: "stop" });
    expect(toDataverseErrorResponse(failure).status).toBe(400);
    expect(failure?.annotations).toMatchObject({ "Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus": "0" });
    expect(failure?.annotations).not.toHaveProperty("Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode");
  });
});
