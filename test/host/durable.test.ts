import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, readObservations, SAMPLE_KEYS, startSampleHost, type HostUnderTest } from "./run-host";

interface ManagementPayload {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
  purgeHistoryDeleteUri: string;
}

interface Status {
  runtimeStatus: string;
  output: unknown;
  customStatus: unknown;
  input: unknown;
}

describe("local host: Durable Functions through the library's replay", () => {
  let host: HostUnderTest;
  const api = () => `${host.baseUrl}/runtime/webhooks/durabletask`;
  const code = `code=${SAMPLE_KEYS.durable}`;

  beforeAll(async () => {
    // One orchestration hour passes in a tenth of a second.
    host = await startSampleHost({ timeScale: 36_000 });
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function start(name: string, input: unknown, instanceId = ""): Promise<ManagementPayload> {
    const response = await fetch(`${host.baseUrl}/api/orchestrators/${name}${instanceId ? `/${instanceId}` : ""}`, { method: "POST", body: JSON.stringify(input) });
    expect(response.status).toBe(202);
    const payload = (await response.json()) as ManagementPayload;
    expect(response.headers.get("location")).toBe(payload.statusQueryGetUri);
    return payload;
  }

  async function status(payload: ManagementPayload): Promise<{ code: number; body: Status }> {
    const response = await fetch(payload.statusQueryGetUri);
    return { code: response.status, body: (await response.json()) as Status };
  }

  const until = (payload: ManagementPayload, runtimeStatus: string) =>
    eventually(async () => {
      const current = await status(payload);
      return current.body.runtimeStatus === runtimeStatus ? current : undefined;
    }, 20_000, `${payload.id} to be ${runtimeStatus}`);

  it("runs retries, a day-long timer, an external event and a sub-orchestration to completion", async () => {
    const key = `tour-${Date.now()}`;
    const payload = await start("tourOrchestrator", { key });
    await eventually(async () => ((await status(payload)).body.customStatus as { step?: string } | null)?.step === "waiting for approval", 20_000, "the approval wait");
    expect((await status(payload)).code).toBe(202);
    const raised = await fetch(payload.sendEventPostUri.replace("{eventName}", "approval"), { method: "POST", body: JSON.stringify("yes"), headers: { "content-type": "application/json" } });
    expect(raised.status).toBe(202);
    const done = await until(payload, "Completed");
    expect(done.code).toBe(200);
    expect(done.body.output).toEqual({ flaky: `${key} succeeded on attempt 3`, approval: "yes", doubled: 42 });
    expect(done.body.customStatus).toEqual({ step: "done" });
    expect(readObservations(host.observationsFile, "flaky").filter((entry) => entry.key === key)).toHaveLength(3);
    const viaClient = await (await fetch(`${host.baseUrl}/api/status/${payload.id}`)).json();
    expect(viaClient).toMatchObject({ runtimeStatus: "Completed", output: done.body.output });
    expect((await fetch(payload.sendEventPostUri.replace("{eventName}", "approval"), { method: "POST", body: "1" })).status).toBe(410);
    expect((await fetch(payload.terminatePostUri.replace("{text}", "late"), { method: "POST" })).status).toBe(410);
  });

  it("fails the orchestration once the retries are used up", async () => {
    const key = `failing-${Date.now()}`;
    const payload = await start("failingOrchestrator", { key });
    const failed = await until(payload, "Failed");
    expect(failed.code).toBe(200);
    expect(String(failed.body.output)).toContain(`attempt 2 of ${key} fails`);
    expect(readObservations(host.observationsFile, "flaky").filter((entry) => entry.key === key)).toHaveLength(2);
    const asError = await fetch(`${payload.statusQueryGetUri}&returnInternalServerErrorOnFailure=true`);
    expect(asError.status).toBe(500);
    expect(((await asError.json()) as Status).runtimeStatus).toBe("Failed");

    // Started and waited for: the same answers as the status query.
    const startAndWait = (query = "") => fetch(`${api()}/orchestrators/failingOrchestrator?timeout=20&pollingInterval=1${query}&${code}`, { method: "POST", body: JSON.stringify({ key: `${key}-waited` }) });
    const waited = await startAndWait();
    expect(waited.status).toBe(200);
    expect(((await waited.json()) as Status).runtimeStatus).toBe("Failed");
    expect((await startAndWait("&returnInternalServerErrorOnFailure=true")).status).toBe(500);
  });

  it("continues as new with the new input", async () => {
    const payload = await start("counterOrchestrator", 0);
    const done = await until(payload, "Completed");
    expect(done.body.output).toBe(3);
    expect(done.body.input).toBe(3);
  });

  it("loses no external event that arrives while an episode of its instance runs (episodes of one instance in turn)", async () => {
    const count = 20;
    const payload = await start("collectEvents", { count });
    await until(payload, "Running");
    const raise = (item: number) => fetch(payload.sendEventPostUri.replace("{eventName}", "item"), { method: "POST", body: JSON.stringify(item), headers: { "content-type": "application/json" } });
    const raised = await Promise.all(Array.from({ length: count }, (_, item) => raise(item)));
    expect(raised.map((response) => response.status)).toEqual(Array(count).fill(202));
    const done = await until(payload, "Completed");
    expect([...(done.body.output as number[])].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, item) => item));
  });

  it("suspends, resumes and terminates; lists with filters; purges", async () => {
    const instanceId = `forever-${Date.now()}`;
    const payload = await start("waitForever", null, instanceId);
    expect(payload.id).toBe(instanceId);
    await until(payload, "Running");
    const startAgain = () => fetch(`${api()}/orchestrators/waitForever/${instanceId}?${code}`, { method: "POST" });
    expect((await startAgain()).status).toBe(409);
    expect((await fetch(payload.suspendPostUri.replace("{text}", "pause"), { method: "POST" })).status).toBe(202);
    await until(payload, "Suspended");
    expect((await fetch(payload.resumePostUri.replace("{text}", "go"), { method: "POST" })).status).toBe(202);
    await until(payload, "Running");
    expect((await fetch(payload.terminatePostUri.replace("{text}", "enough"), { method: "POST" })).status).toBe(202);
    const terminated = await until(payload, "Terminated");
    expect(terminated.code).toBe(200);
    expect(terminated.body.output).toBe("enough");

    const listed = (await (await fetch(`${api()}/instances?runtimeStatus=Terminated&instanceIdPrefix=forever-&${code}`)).json()) as { instanceId: string }[];
    expect(listed.map((entry) => entry.instanceId)).toContain(instanceId);
    const running = (await (await fetch(`${api()}/instances?runtimeStatus=Running&${code}`)).json()) as { instanceId: string }[];
    expect(running.map((entry) => entry.instanceId)).not.toContain(instanceId);
    expect((await startAgain()).status).toBe(202); // a finished instance's id can be used again
    await until(payload, "Running");

    const purged = await fetch(payload.purgeHistoryDeleteUri, { method: "DELETE" });
    expect(purged.status).toBe(200);
    expect(await purged.json()).toEqual({ instancesDeleted: 1 });
    expect((await fetch(payload.statusQueryGetUri)).status).toBe(404);
    expect((await fetch(payload.purgeHistoryDeleteUri, { method: "DELETE" })).status).toBe(404);
  });

  it("answers the management API like Azure: 404 unknown, 401 without the key, 400 for bad input", async () => {
    expect((await fetch(`${api()}/instances/no-such-instance?${code}`)).status).toBe(404);
    expect((await fetch(`${api()}/instances/no-such-instance/raiseEvent/x?${code}`, { method: "POST", body: "1" })).status).toBe(404);
    expect((await fetch(`${api()}/instances/no-such-instance`)).status).toBe(401);
    expect((await fetch(`${api()}/orchestrators/noSuchOrchestrator?${code}`, { method: "POST" })).status).toBe(400);
    expect((await fetch(`${api()}/orchestrators/waitForever?${code}`, { method: "POST", body: "{not json" })).status).toBe(400);
    const started = await fetch(`${api()}/orchestrators/counterOrchestrator?${code}`, { method: "POST", body: "2" });
    expect(started.status).toBe(202);
    const payload = (await started.json()) as ManagementPayload;
    expect((await until(payload, "Completed")).body.output).toBe(3);
    const waited = await fetch(`${api()}/orchestrators/counterOrchestrator?timeout=20&pollingInterval=1&${code}`, { method: "POST", body: "1" });
    expect(waited.status).toBe(200);
    expect(await waited.json()).toBe(3);
  });
});
