import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CoreApi, interceptCoreModule } from "../../local/host/core-api";
import { readOpenTasks } from "../../local/durable/open-tasks";

/**
 * The local host relies on internals of these exact library versions (the `@azure/functions-core`
 * contract, the durable replay's open tasks and failure payload). An upgrade must fail here first.
 */
const PINNED = { "@azure/functions": "4.16.5", "durable-functions": "3.5.0" } as const;
const load = createRequire(__filename);

describe("contract with the hosted libraries", () => {
  it("pins the library versions exactly, in package.json and installed", () => {
    const manifest = JSON.parse(readFileSync(`${__dirname}/../../package.json`, "utf8")) as { dependencies: Record<string, string> };
    for (const [name, version] of Object.entries(PINNED)) {
      expect(manifest.dependencies[name], `${name} in package.json`).toBe(version);
      expect((load(`${name}/package.json`) as { version: string }).version, `${name} installed`).toBe(version);
    }
  });

  it("registers functions and the programming model through the supplied @azure/functions-core", () => {
    const core = new CoreApi();
    const restore = interceptCoreModule(core);
    try {
      const { app } = load("@azure/functions") as typeof import("@azure/functions");
      app.http("contractProbe", { route: "probe/{id:int}", authLevel: "function", handler: async () => ({ body: "ok" }) });
      const registered = core.functions.get("contractprobe");
      const trigger = Object.values(registered?.metadata.bindings ?? {}).find((binding) => binding.direction === "in");
      expect(trigger).toMatchObject({ type: "httpTrigger", route: "probe/{id:int}", authLevel: "function" });
      expect(core.programmingModel?.name).toBe("@azure/functions");
    } finally {
      restore();
    }
  });

  it("exposes the replay's open tasks and failure payload the engine reads", async () => {
    const { createOrchestrator, DurableOrchestrationInput, DummyOrchestrationContext } = load("durable-functions/lib/src/util/testingUtils") as {
      createOrchestrator: (fn: unknown) => (input: unknown, context: unknown) => Promise<unknown>;
      DurableOrchestrationInput: new (...args: unknown[]) => unknown;
      DummyOrchestrationContext: new () => { df?: unknown };
    };
    const { RetryOptions } = load("durable-functions") as { RetryOptions: new (first: number, max: number) => object };
    const orchestrator = createOrchestrator(function* (context: { df: { callActivityWithRetry: (...args: unknown[]) => unknown } }) {
      yield context.df.callActivityWithRetry("work", new RetryOptions(1000, 3), "in");
    });
    const at = new Date("2026-01-01T00:00:00Z");
    const history = [
      { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: at },
      { EventType: 0, EventId: -1, IsPlayed: false, Timestamp: at, Name: "probe" },
      { EventType: 4, EventId: 0, IsPlayed: false, Timestamp: at, Name: "work" },
      { EventType: 6, EventId: -1, IsPlayed: false, Timestamp: at, TaskScheduledId: 0, Reason: "boom", Details: "" },
    ];
    const context = new DummyOrchestrationContext();
    await orchestrator(new DurableOrchestrationInput("probe", history, undefined, "3.00:00:00", "6.00:00:00", 30000, 3), context);
    expect(readOpenTasks(context)).toEqual([{ id: 1, kind: "retryTimer", retry: expect.objectContaining({ firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3 }), failedAttempts: 1 }]);

    const failing = createOrchestrator(function* () {
      yield* [];
      throw new Error("orchestrator broke");
    });
    const failure = await failing(new DurableOrchestrationInput("probe2", history.slice(0, 2), undefined, "3.00:00:00", "6.00:00:00", 30000, 3), new DummyOrchestrationContext()).catch((error: Error) => error);
    const [, stateJson] = String((failure as Error).message).split("\n\n$OutOfProcData$:");
    expect(JSON.parse(stateJson)).toMatchObject({ isDone: false, error: "orchestrator broke" });
  });
});
