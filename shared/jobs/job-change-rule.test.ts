import { describe, expect, it } from "vitest";
import { systemJobWriteRule } from "./job-change-rule";
import { JobState, JobStatus } from "./job-states";
import type { JobOrchestrationInput, JobOrchestrations } from "./orchestrations";
import type { JobSignal } from "./orchestration";

/** Orchestrations that record what the rule asks; `running` says which instances run. */
function recordingOrchestrations(running: Set<string>) {
  const calls: { signals: [string, JobSignal][]; starts: JobOrchestrationInput[] } = { signals: [], starts: [] };
  const orchestrations: JobOrchestrations = {
    state: async (jobId) => (running.has(jobId) ? "running" : "none"),
    start: async (input) => Boolean(calls.starts.push(input)),
    terminate: async () => undefined,
    signal: async (jobId, signal) => void calls.signals.push([jobId, signal]),
  };
  return { orchestrations, calls };
}

const suspended = (id: string) => ({ table: "asyncoperation", id, etag: "*", values: { statecode: JobState.Suspended, statuscode: JobStatus.Waiting } });

describe("systemJobWriteRule", () => {
  it("resumes a job through its orchestration, and starts one when the job has none (a paused job's)", async () => {
    const { orchestrations, calls } = recordingOrchestrations(new Set(["with"]));
    const rule = systemJobWriteRule(() => orchestrations, undefined, () => undefined);
    for (const id of ["with", "without"]) await rule.update!("contoso", suspended(id), { statecode: JobState.Ready }).afterCommit?.();
    expect(calls.signals).toEqual([
      ["with", { change: "resume", postponeuntil: undefined }],
      ["without", { change: "resume", postponeuntil: undefined }],
    ]);
    expect(calls.starts).toEqual([{ organization: "contoso", jobId: "without" }]);
  });
});
