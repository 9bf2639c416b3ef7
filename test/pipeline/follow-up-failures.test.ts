import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTableProxy, type ProxiedRequest, type ProxyAction, type TableProxy } from "../../local/storage/table-proxy";
import { inInvocation } from "../../shared/telemetry/invocation-scope";
import { uniqueOrganization } from "../support/data-service";
import { idFromHeader, pipelineForTests, registerStep } from "./support";

/** An invocation's logger that keeps what was written through it, by level. */
function invocationLog() {
  const lines: { level: string; record: Record<string, unknown> }[] = [];
  const keep = (level: string) => (text: unknown) => void lines.push({ level, record: JSON.parse(String(text)) as Record<string, unknown> });
  return { logger: { info: keep("information"), warn: keep("warning"), error: keep("error") }, lines };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// What a request's follow-ups report when they fail after its commit: logged in the request's invocation,
// never changing its outcome.
describe("a request whose follow-up fails after its commit", () => {
  it("whose dispatcher fails: logs an error naming the committed jobs, its correlation and the error; the request succeeds and the jobs stay Ready", async () => {
    const organization = uniqueOrganization("dispatchbroke");
    const dispatcher = { jobsCommitted: () => Promise.reject(new Error("the durable client is gone; AccountKey=a-secret")) };
    const { api: apiOf } = pipelineForTests([organization], { dispatcher });
    const api = apiOf(organization);
    const stepId = await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, script: {} });
    const log = invocationLog();

    const created = await inInvocation(log.logger, () => api("POST", "accounts", { body: { name: "Dispatch fails" } }));

    expect(created.status).toBe(204);
    const jobs = (await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${stepId}&$select=asyncoperationid,correlationid,statecode`)).json.value;
    expect(jobs).toEqual([expect.objectContaining({ statecode: 0 })]);
    expect(log.lines).toEqual([
      {
        level: "error",
        record: {
          event: "systemJobsNotStarted",
          message: expect.stringContaining("the sweep starts them"),
          organization,
          correlationId: jobs[0].correlationid,
          jobCount: 1,
          jobIds: jobs[0].asyncoperationid,
          errorCode: "Internal",
          errorMessage: "the durable client is gone; AccountKey=***",
        },
      },
    ]);
  });

  describe("whose plug-in trace log cannot be written", () => {
    const organization = uniqueOrganization("tracebroke");
    let refusing = false;
    let refused = 0;
    const decide = (request: ProxiedRequest): ProxyAction => {
      if (!refusing || !request.body.includes("plugintracelog")) return "forward";
      refused++;
      return "refuse";
    };
    let proxy: TableProxy;
    let api: ReturnType<ReturnType<typeof pipelineForTests>["api"]>;

    beforeAll(async () => {
      proxy = await startTableProxy(process.env.AzureWebJobsStorage ?? "", decide);
      api = pipelineForTests([organization], { storage: proxy.connectionString }).api(organization);
      await registerStep(api, { message: "Create", table: "account", stage: 20, script: { trace: "checked" } });
      const [org] = (await api("GET", "organizations?$select=organizationid")).json.value;
      expect((await api("PATCH", `organizations(${org.organizationid})`, { body: { plugintracelogsetting: 2 } })).status).toBe(204);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    it("logs an error naming the organization, the correlation and the error; the request succeeds", async () => {
      const log = invocationLog();
      refusing = true;
      const created = await inInvocation(log.logger, () => api("POST", "accounts", { body: { name: "Traced" } })).finally(() => (refusing = false));

      expect(created.status).toBe(204);
      expect(refused).toBeGreaterThan(0);
      expect((await api("GET", `accounts(${idFromHeader(created)})?$select=name`)).json).toMatchObject({ name: "Traced" });
      expect((await api("GET", "plugintracelogs")).json.value).toEqual([]);
      expect(log.lines).toEqual([
        {
          level: "error",
          record: {
            event: "pluginTraceLogNotWritten",
            message: expect.stringContaining(organization),
            organization,
            correlationId: expect.stringMatching(UUID),
            errorCode: expect.any(String),
            errorMessage: expect.any(String),
          },
        },
      ]);
    });
  });
});
