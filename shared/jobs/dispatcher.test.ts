import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../telemetry/structured-log";
import { createJobDispatcher } from "./dispatcher";
import type { JobOrchestrations } from "./orchestrations";

describe("createJobDispatcher", () => {
  it("logs the jobs whose start failed as one warning (count, ids, correlation, error), starts the others, and never fails", async () => {
    const [started, refusedA, refusedB, correlationId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const starts: string[] = [];
    const orchestrations: Pick<JobOrchestrations, "start"> = {
      start: async ({ jobId }) => {
        if (jobId !== started) throw new Error("Durable management API answered 503");
        starts.push(jobId);
        return true;
      },
    };
    const logged: LogEvent[] = [];
    const dispatcher = createJobDispatcher(() => orchestrations as JobOrchestrations, (event) => void logged.push(event));

    await expect(dispatcher.jobsCommitted("contoso", [refusedA, started, refusedB].map((id) => ({ id })), correlationId)).resolves.toBeUndefined();

    expect(starts).toEqual([started]);
    expect(logged).toEqual([
      {
        event: "systemJobsNotStarted",
        severity: "warning",
        message: expect.stringContaining("the sweep starts them"),
        fields: { organization: "contoso", correlationId, jobCount: 2, jobIds: `${refusedA},${refusedB}`, errorCode: "Internal", errorMessage: "Durable management API answered 503" },
      },
    ]);
  });

  it("logs nothing when every start succeeds", async () => {
    const logged: LogEvent[] = [];
    const dispatcher = createJobDispatcher(() => ({ start: async () => true }) as unknown as JobOrchestrations, (event) => void logged.push(event));
    await dispatcher.jobsCommitted("contoso", [{ id: randomUUID() }]);
    expect(logged).toEqual([]);
  });
});
