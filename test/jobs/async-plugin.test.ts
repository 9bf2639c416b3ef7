import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndpointPoster } from "../../shared/delivery";
import { MAX_STORED_STRING_LENGTH } from "../../shared/dataservice/store/row-codec";
import { PipelineError } from "../../shared/errors";
import { jobAttemptDependencies, JobState, JobStatus, runJobAttempt, SystemJobStore } from "../../shared/jobs";
import { uniqueOrganization } from "../support/data-service";
import { attemptUntilDone } from "../support/system-jobs";
import { seen, tracedLine } from "../pipeline/scripted-plugin";
import { idFromHeader, pipelineForTests, registerStep } from "../pipeline/support";

const organization = uniqueOrganization("ap");
const { api: apiOf, service } = pipelineForTests([organization]);
const api = apiOf(organization);
const logged: Record<string, unknown>[] = [];
const deps = jobAttemptDependencies(service, createEndpointPoster(), { attempt: (record) => void logged.push({ ...record }), post: () => undefined });

const runToCompletion = (jobId: string) => attemptUntilDone(deps, { organization, jobId });

async function jobOf(stepId: string) {
  const jobs = await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${stepId}`);
  expect(jobs.json.value).toHaveLength(1);
  return jobs.json.value[0].asyncoperationid as string;
}

describe("asynchronous plug-in steps run by the system job", () => {
  let succeeding: string;
  let retrying: string;
  let crashing: string;
  beforeAll(async () => {
    succeeding = await registerStep(api, { message: "Create", table: "contact", stage: 40, mode: 1, script: { label: "async-ok", trace: "ran async" } });
    retrying = await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, script: { label: "async-retry", throw: "retry" } });
    crashing = await registerStep(api, { message: "Update", table: "account", stage: 40, mode: 1, script: { label: "async-crash", throw: "error" } });
  });
  afterAll(() => deps.poster.close());

  it("runs the plug-in with the job's stored context (Mode 1, outside the transaction) and succeeds", async () => {
    idFromHeader(await api("POST", "contacts", { body: { lastname: "Async" } }));
    const jobId = await jobOf(succeeding);
    expect(await runToCompletion(jobId)).toEqual([{ kind: "completed", statuscode: JobStatus.Succeeded }]);
    const run = (seen.get(organization) ?? []).filter((entry) => entry.label === "async-ok").at(-1);
    expect(run).toMatchObject({ mode: 1, stage: 40, isInTransaction: false, operationId: jobId });
    expect(run?.target).toMatchObject({ lastname: "Async" });
    const job = (await api("GET", `asyncoperations(${jobId})`)).json;
    expect(job).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Succeeded, retrycount: 0 });
  });

  it("retries a plug-in that asks for it (OperationStatus.Retry): 4 attempts, then Failed with its message", async () => {
    idFromHeader(await api("POST", "accounts", { body: { name: "Retry Ltd" } }));
    const jobId = await jobOf(retrying);
    const results = await runToCompletion(jobId);
    expect(results.map((result) => result.kind)).toEqual(["retry", "retry", "retry", "completed"]);
    const job = (await api("GET", `asyncoperations(${jobId})`)).json;
    expect(job).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Failed, retrycount: 3, message: "Not yet, says async-retry." });
    expect(job.friendlymessage).toMatch(/plug-in/);
    expect(job.friendlymessage).not.toMatch(/service endpoint/);
    expect(logged.filter((record) => record.jobId === jobId).map((record) => record.outcome)).toEqual(["waiting", "waiting", "waiting", "failed"]);
    // A completed job is never attempted again (activities may run twice).
    expect(await runJobAttempt(deps, { organization, jobId })).toEqual({ kind: "stopped" });
  });

  it("says a plug-in's unexpected error was the plug-in's, not a post to a service endpoint", async () => {
    const accountId = idFromHeader(await api("POST", "accounts", { body: { name: "Crash Ltd" } }));
    expect((await api("PATCH", `accounts(${accountId})`, { body: { name: "Crash Ltd 2" } })).status).toBeLessThan(300);
    const jobId = await jobOf(crashing);
    await runToCompletion(jobId);
    const job = (await api("GET", `asyncoperations(${jobId})`)).json;
    expect(job).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Failed });
    expect(`${job.message} ${job.friendlymessage}`).not.toMatch(/service endpoint/);
    expect(job.friendlymessage).toMatch(/plug-in/);
  });

  it("keeps a plug-in's message longer than the job's message column can hold, cut to it: the job fails once, for good", async () => {
    const long = await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, script: { label: "async-long", throw: "invalid", onlyIfName: "Long Ltd", messageLength: 40_000 } });
    const longRetry = await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, script: { label: "async-long-retry", throw: "retry", onlyIfName: "Long Ltd", messageLength: 40_000 } });
    idFromHeader(await api("POST", "accounts", { body: { name: "Long Ltd" } }));
    const [failing, retried] = [await jobOf(long), await jobOf(longRetry)];
    expect(await runToCompletion(failing)).toEqual([{ kind: "completed", statuscode: JobStatus.Failed }]);
    expect((await runToCompletion(retried)).map((result) => result.kind)).toEqual(["retry", "retry", "retry", "completed"]);
    for (const jobId of [failing, retried]) {
      const job = (await api("GET", `asyncoperations(${jobId})`)).json;
      expect(job).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Failed });
      // What one stored string keeps (the column's MaxLength, 100000, is more).
      expect(job.message).toHaveLength(MAX_STORED_STRING_LENGTH);
      expect(job.message).toMatch(/^(Stopped by async-long\.|Not yet, says async-long-retry\.)x+$/);
      expect(logged.filter((record) => record.jobId === jobId).at(-1)).toMatchObject({ outcome: "failed", message: job.message });
    }
  });

  it("shows the last 10 KB of what a failed plug-in traced after its message, in the job and in the trace log: the job fails as it would untraced", async () => {
    const organizationId = (await api("GET", "organizations?$select=name")).json.value[0].organizationid;
    expect((await api("PATCH", `organizations(${organizationId})`, { body: { plugintracelogsetting: 2 } })).status).toBe(204);
    const traced = await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, name: "Traced", script: { label: "async-traced", trace: "starting", traceLines: 300, onlyIfName: "Traced Ltd", throw: "invalid" } });
    idFromHeader(await api("POST", "accounts", { body: { name: "Traced Ltd" } }));
    const jobId = await jobOf(traced);
    expect(await runToCompletion(jobId)).toEqual([{ kind: "completed", statuscode: JobStatus.Failed }]);
    // 100-character lines joined by a newline: the last 101 (10,200 characters) fit in 10,240, 102 would not.
    const kept = Array.from({ length: 101 }, (_, index) => tracedLine(200 + index));
    const job = (await api("GET", `asyncoperations(${jobId})`)).json;
    expect(job).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Failed, retrycount: 0, friendlymessage: "The plug-in stopped the operation." });
    expect(job.message).toBe(`Stopped by async-traced.\r\n[scripted-plugin: scripted-plugin.Scripted ]\r\n[${traced}: Traced] \r\n\r\n ${kept.join("\r\n")}\r\n\r\n`);
    const rows = (await api("GET", `plugintracelogs?$filter=pluginstepid eq ${traced}`)).json.value;
    expect(rows).toEqual([expect.objectContaining({ mode: 1, messageblock: kept.join("\n") })]);
  });

  it("fails a job whose outcome the store refuses to record (a refusal that would repeat), saying so, instead of running it again", async () => {
    const refusing = await registerStep(api, { message: "Update", table: "contact", stage: 40, mode: 1, script: { label: "async-refused", throw: "invalid" } });
    const contactId = idFromHeader(await api("POST", "contacts", { body: { lastname: "Refused" } }));
    expect((await api("PATCH", `contacts(${contactId})`, { body: { lastname: "Refused again" } })).status).toBeLessThan(300);
    const jobId = await jobOf(refusing);
    // The row's store refuses the first write that records a failure, as the row codec refuses a value it cannot keep.
    let refusals = 1;
    const jobs = new SystemJobStore(deps.jobs.store);
    jobs.update = (reference, change, known, alongside) =>
      SystemJobStore.prototype.update.call(jobs, reference, (current) => {
        const values = change(current);
        if (values?.errorcode !== undefined && refusals > 0) {
          refusals--;
          throw new PipelineError("ValidationFailed", "The value of 'message' is longer than this store keeps.");
        }
        return values;
      }, known, alongside);
    expect(await runJobAttempt({ ...deps, jobs }, { organization, jobId })).toEqual({ kind: "completed", statuscode: JobStatus.Failed });
    const job = (await api("GET", `asyncoperations(${jobId})`)).json;
    expect(job).toMatchObject({ statecode: JobState.Completed, statuscode: JobStatus.Failed, retrycount: 0 });
    expect(job.message).toBe("The outcome of the attempt (fail) could not be recorded: The value of 'message' is longer than this store keeps.");
    expect(job.friendlymessage).toBe("The system job's outcome could not be recorded.");
    expect(logged.filter((record) => record.jobId === jobId).map((record) => record.outcome)).toEqual(["unrecorded", "failed"]);
  });

  it("logs the correlation id and step id from the job's row when its step no longer exists", async () => {
    const gone = await registerStep(api, { message: "Create", table: "contact", stage: 40, mode: 1, script: { label: "async-gone" } });
    idFromHeader(await api("POST", "contacts", { body: { lastname: "Orphan" } }));
    const jobId = await jobOf(gone);
    expect((await api("DELETE", `sdkmessageprocessingsteps(${gone})`)).status).toBe(204);
    expect(await runToCompletion(jobId)).toEqual([{ kind: "completed", statuscode: JobStatus.Failed }]);
    const job = (await api("GET", `asyncoperations(${jobId})`)).json;
    expect(job.message).toMatch(/no longer exists/);
    expect(job.friendlymessage).toBe("The system job's step or its handler can no longer be used.");
    expect(logged.filter((record) => record.jobId === jobId)).toEqual([expect.objectContaining({ outcome: "failed", stepId: gone, correlationId: job.correlationid })]);
    expect(job.correlationid).toEqual(expect.any(String));
  });
});
