import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSampleHost, type HostUnderTest } from "../../test/host/run-host";
import { instanceStatus, standInJobOrchestrations, startPausedStandIn } from "../../test/support/job-orchestrations";
import { systemJobWriteRule } from "./job-change-rule";
import { JobState, JobStatus } from "./job-states";
import type { JobOrchestrations } from "./orchestrations";
import type { LogEvent } from "../telemetry/structured-log";

const suspended = (id: string) => ({ table: "asyncoperation", id, etag: "*", values: { statecode: JobState.Suspended, statuscode: JobStatus.Waiting } });

// The rule with the real job orchestrations on a local host (the sample app's stand-in orchestration in
// place of a system job's), judged by what the management API then shows of each job's instance.
describe("systemJobWriteRule", () => {
  let host: HostUnderTest;
  beforeAll(async () => {
    host = await startSampleHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it("resumes a job through its orchestration, and starts one when the job has none (a paused job's)", async () => {
    const orchestrations = await standInJobOrchestrations(host);
    const [withOrchestration, without] = [randomUUID(), randomUUID()];
    await startPausedStandIn(host, { organization: "contoso", jobId: withOrchestration });
    await eventually(async () => (await orchestrations.state(withOrchestration)) === "paused", 15_000, "the orchestration paused");
    const warnings: LogEvent[] = [];
    const rule = systemJobWriteRule(() => orchestrations, undefined, (message) => warnings.push(message));

    for (const id of [withOrchestration, without]) await rule.update!("contoso", suspended(id), { statecode: JobState.Ready }).afterCommit?.();

    const received = await eventually(async () => (await instanceStatus(host, withOrchestration))?.customStatus as { received?: unknown } | undefined, 15_000, "the resume");
    expect(received).toEqual({ received: { change: "resume" } });
    expect(await instanceStatus(host, without)).toMatchObject({ runtimeStatus: expect.stringMatching(/^(Pending|Running)$/), input: { organization: "contoso", jobId: without } });
    expect(warnings).toEqual([]);
  });

  it("logs a change the orchestration was not told as a warning naming the job, the change and the error (credentials masked); the change stands", async () => {
    const refused = () => Promise.reject(new Error("connection refused; AccountKey=the-secret-key"));
    const orchestrations: JobOrchestrations = { start: refused, state: refused, terminate: refused, signal: refused };
    const warnings: LogEvent[] = [];
    const rule = systemJobWriteRule(() => orchestrations, undefined, (event) => void warnings.push(event));
    const jobId = randomUUID();

    const { values, afterCommit } = rule.update!("contoso", suspended(jobId), { statecode: JobState.Ready });
    await afterCommit?.();

    expect(values).toMatchObject({ statecode: JobState.Ready });
    expect(warnings).toEqual([
      {
        event: "systemJobChangeNotTold",
        severity: "warning",
        message: expect.stringContaining(jobId),
        fields: { organization: "contoso", jobId, change: "resume", errorCode: "Internal", errorMessage: "connection refused; AccountKey=***" },
      },
    ]);
    expect(JSON.stringify(warnings)).not.toContain("the-secret-key");
  });
});
