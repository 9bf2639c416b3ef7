import { beforeAll, describe, expect, it } from "vitest";
import { uniqueOrganization } from "../support/data-service";
import { MAX_TRACE_LENGTH } from "../../shared/pipeline/trace-log";
import { tracedLine } from "./scripted-plugin";
import { pipelineForTests, registerStep } from "./support";

const org = uniqueOrganization("pg");
const { api: apiOf } = pipelineForTests([org]);
const api = apiOf(org);

async function traces(): Promise<Record<string, unknown>[]> {
  return (await api("GET", "plugintracelogs?$orderby=createdon")).json.value;
}

async function setTraceLog(setting: number): Promise<void> {
  const organization = (await api("GET", "organizations?$select=name")).json.value[0];
  expect((await api("PATCH", `organizations(${organization.organizationid})`, { body: { plugintracelogsetting: setting } })).status).toBe(204);
}

describe("plug-in trace log", () => {
  let stepId: string;

  beforeAll(async () => {
    stepId = await registerStep(api, { message: "Create", table: "account", stage: 20, script: { trace: "checked", onlyIfName: "traced" } });
    await registerStep(api, { message: "Create", table: "account", stage: 40, script: { trace: "about to fail", onlyIfName: "broken", throw: "error" } });
  });

  it("keeps nothing by default", async () => {
    expect((await api("POST", "accounts", { body: { name: "traced" } })).status).toBe(204);
    expect(await api("POST", "accounts", { body: { name: "broken" } })).toMatchObject({ status: 400 });
    expect(await traces()).toEqual([]);
  });

  it("keeps only failed executions under Exception, and they survive the rollback", async () => {
    await setTraceLog(1);
    await api("POST", "accounts", { body: { name: "traced" } });
    expect((await api("POST", "accounts", { body: { name: "broken" } })).status).toBe(400);
    const rows = await traces();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ typename: "scripted-plugin.Scripted", messagename: "Create", primaryentity: "account", depth: 1, mode: 0, messageblock: "about to fail at stage 40" });
    expect(rows[0].exceptiondetails).toContain("TypeError: secret internal detail");
    expect((await api("GET", "accounts?$filter=name eq 'broken'")).json.value).toEqual([]);
  });

  it("keeps every execution under All, with its trace lines, step, duration and correlation", async () => {
    await setTraceLog(2);
    await api("POST", "accounts", { body: { name: "traced" } });
    // Both steps ran (the second one returned at once): 1 earlier row + 2.
    const rows = await traces();
    expect(rows).toHaveLength(3);
    const traced = rows.find((row) => row.pluginstepid === stepId)!;
    expect(traced).toMatchObject({ messageblock: "checked at stage 20", exceptiondetails: null, operationtype: 1 });
    expect(traced.performanceexecutionduration).toEqual(expect.any(Number));
    expect(rows.filter((row) => row.correlationid === traced.correlationid)).toHaveLength(2);
  });

  it("keeps the last 10 KB of a long trace (older lines dropped) in the log and the TraceText; the request's outcome is unchanged", async () => {
    await setTraceLog(2);
    const succeeding = await registerStep(api, { message: "Create", table: "account", stage: 20, script: { trace: "starting", traceLines: 300, onlyIfName: "long trace" } });
    const failing = await registerStep(api, { message: "Create", table: "account", stage: 40, name: "Long failure", script: { label: "long-failure", trace: "starting", traceLines: 300, onlyIfName: "long failure", throw: "invalid" } });
    // 100-character lines joined by a newline: the last 101 (10,200 characters) fit in 10,240, 102 would not.
    const kept = Array.from({ length: 101 }, (_, index) => tracedLine(200 + index));

    expect((await api("POST", "accounts", { body: { name: "long trace" } })).status).toBe(204);
    expect((await api("GET", "accounts?$filter=name eq 'long trace'")).json.value).toHaveLength(1);
    const refused = await api("POST", "accounts", { body: { name: "long failure" }, headers: { Prefer: 'odata.include-annotations="*"' } });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: "0x80040265", message: "Stopped by long-failure." });
    expect(refused.json.error["@Microsoft.PowerApps.CDS.TraceText"]).toBe(`\r\n[scripted-plugin: scripted-plugin.Scripted ]\r\n[${failing}: Long failure] \r\n\r\n ${kept.join("\r\n")}\r\n\r\n`);

    const rows = (await traces()).filter((row) => row.messageblock !== null);
    const [succeeded, failed] = [succeeding, failing].map((stepId) => rows.filter((row) => row.pluginstepid === stepId));
    expect([succeeded, failed].map((stepRows) => stepRows.length)).toEqual([1, 1]);
    for (const row of [succeeded[0], failed[0]]) {
      expect(row.messageblock).toBe(kept.join("\n"));
      expect((row.messageblock as string).length).toBeLessThanOrEqual(MAX_TRACE_LENGTH);
    }
    expect(failed[0].exceptiondetails).toContain("Stopped by long-failure.");
  });
});
