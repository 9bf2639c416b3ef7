import { describe, expect, it } from "vitest";
import { toDataverseErrorResponse, type PipelineError } from "../errors";
import { createContext } from "../model";
import { PluginCatalog } from "../plugins/catalog";
import { InvalidPluginExecutionError } from "../plugins/errors";
import type { IOrganizationService, IPlugin, IServiceEndpointNotificationService, PluginExecution } from "../plugins/types";
import type { StepRegistration } from "./registrations";
import { StepRunner, TimeLimit } from "./step-runner";
import { MAX_TRACE_LENGTH, TraceLog } from "./trace-log";

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

  it("keeps the most recent 10 KB of a trace: older lines are dropped, a line longer than that keeps its end (never half a surrogate pair)", async () => {
    const long = "😀" + "z".repeat(MAX_TRACE_LENGTH - 1); // its last 10,240 code units start with the emoji's second half
    class Verbose implements IPlugin {
      execute({ tracingService }: PluginExecution): void {
        tracingService.trace("first");
        tracingService.trace(long);
        throw new InvalidPluginExecutionError("stop");
      }
    }
    class Chatty implements IPlugin {
      execute({ tracingService }: PluginExecution): void {
        tracingService.trace(long);
        for (let line = 0; line < 5000; line++) tracingService.trace("line %d", line);
        throw new Error("crash");
      }
    }
    const header = `\r\n[one: one.Plugin ]\r\n[${step("").id}: Counting: Create of account] \r\n\r\n `;
    const verbose = (await runOne(Verbose)).failure;
    expect(verbose).toMatchObject({ code: "PluginCancelled", message: "stop" });
    expect(verbose?.annotations?.["Microsoft.PowerApps.CDS.TraceText"]).toBe(`${header}${"z".repeat(MAX_TRACE_LENGTH - 1)}\r\n\r\n`);
    const chatty = (await runOne(Chatty)).failure;
    expect(chatty).toMatchObject({ code: "PluginUnexpected" });
    const kept = chatty?.annotations?.["Microsoft.PowerApps.CDS.TraceText"].slice(header.length, -4).split("\r\n") ?? [];
    expect(kept.at(-1)).toBe("line 4999");
    expect(kept.join("\n").length).toBeLessThanOrEqual(MAX_TRACE_LENGTH);
    expect(kept.join("\n").length + `line ${4999 - kept.length}`.length + 1).toBeGreaterThan(MAX_TRACE_LENGTH);
    expect(kept[0]).toBe(`line ${5000 - kept.length}`);
  });
});
