import { describe, expect, it } from "vitest";
import { checkJobChange, JobState, JobStatus } from "./job-states";

const at = (statecode: number) => ({ statecode });

describe("system job changes a user may make (§F.1)", () => {
  it("cancels from Ready, Suspended and Locked", () => {
    for (const state of [JobState.Ready, JobState.Suspended, JobState.Locked]) {
      expect(checkJobChange(at(state), { statecode: 3, statuscode: 32 })).toEqual({ change: "cancel", values: { statecode: 3, statuscode: 32 } });
    }
    expect(checkJobChange(at(JobState.Ready), { statecode: 3 }).values).toEqual({ statecode: 3, statuscode: JobStatus.Canceled });
  });

  it("pauses In Progress, resumes Suspended, postpones Ready or Locked", () => {
    expect(checkJobChange(at(JobState.Locked), { statecode: 1 })).toMatchObject({ change: "pause", values: { statecode: 1, statuscode: 10 } });
    expect(checkJobChange(at(JobState.Suspended), { statecode: 0 })).toMatchObject({ change: "resume", values: { statecode: 0, statuscode: 0 } });
    expect(checkJobChange(at(JobState.Ready), { postponeuntil: "2030-01-01T00:00:00Z" }).change).toBe("postpone");
  });

  it("clears postponeuntil on pause (a paused row has none) and on resume (attempted now), unless the resume sets one", () => {
    expect(checkJobChange(at(JobState.Locked), { statecode: 1, postponeuntil: "2030-01-01T00:00:00Z" }).values).toEqual({ statecode: 1, statuscode: 10, postponeuntil: null });
    expect(checkJobChange(at(JobState.Suspended), { statecode: 0 }).values).toEqual({ statecode: 0, statuscode: 0, postponeuntil: null });
    expect(checkJobChange(at(JobState.Suspended), { statecode: 0, postponeuntil: "2030-01-01T00:00:00Z" }).values.postponeuntil).toBe("2030-01-01T00:00:00Z");
  });

  it("refuses everything else with a reason", () => {
    expect(() => checkJobChange(at(JobState.Completed), { statecode: 3, statuscode: 32 })).toThrow(/state 3 cannot move to state 3/);
    expect(() => checkJobChange(at(JobState.Ready), { statecode: 3, statuscode: 30 })).toThrow(/cancel with status 32, not 30/);
    expect(() => checkJobChange(at(JobState.Ready), { statecode: 1 })).toThrow(/cannot move to state 1/);
    expect(() => checkJobChange(at(JobState.Suspended), { postponeuntil: "2030-01-01T00:00:00Z" })).toThrow(/cannot be postponed/);
    expect(() => checkJobChange(at(JobState.Ready), { name: "x" })).toThrow(/only statecode, statuscode and postponeuntil/);
    expect(() => checkJobChange(at(JobState.Ready), { statuscode: 31 })).toThrow(/set statecode with statuscode/);
    expect(() => checkJobChange(at(JobState.Ready), { postponeuntil: "soon" })).toThrow(/must be a date/);
  });
});
