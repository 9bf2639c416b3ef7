import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { uniqueOrganization } from "../support/data-service";
import { DATAVERSE_FIXTURES_DIR } from "../fixtures/dataverse";
import { guid } from "../../shared/model";
import { ASYNC_PRIMARY_NAME_IMAGE } from "../../shared/pipeline";
import { encodeContextJson } from "../../shared/serialization";
import { seen } from "./scripted-plugin";
import { idFromHeader, pipelineForTests, registerImage, registerStep } from "./support";

const org = uniqueOrganization("pa");
const dispatched: string[][] = [];
const { api: apiOf, service } = pipelineForTests([org], { dispatcher: { jobsCommitted: async (_organization, jobs) => void dispatched.push(jobs.map((job) => job.id)) } });
const api = apiOf(org);

async function contextRows(): Promise<number> {
  return (await service.store.listRows(org, { from: "asyncoperationcontext|", to: "asyncoperationcontext}" })).length;
}

describe("asynchronous steps", () => {
  let stepId: string;

  beforeAll(async () => {
    stepId = await registerStep(api, { message: "Update", table: "account", stage: 40, mode: 1, name: "Notify on account update", script: {} });
    expect((await registerImage(api, stepId, { imagetype: 2, entityalias: "image", attributes: "telephone1" })).status).toBe(204);
    await registerStep(api, { message: "Update", table: "account", stage: 40, script: { onlyIfName: "fail", throw: "invalid" } });
  });

  it("commits one Ready asyncoperation row and the context its job delivers with the operation", async () => {
    const accountId = idFromHeader(await api("POST", "accounts", { body: { name: "Async Ltd", telephone1: "1" } }));
    expect((await api("PATCH", `accounts(${accountId})`, { body: { telephone1: "2" } })).status).toBe(204);

    const jobs = await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${stepId}`);
    expect(jobs.json.value).toHaveLength(1);
    const job = jobs.json.value[0];
    expect(job).toMatchObject({
      name: "Notify on account update", statecode: 0, statuscode: 0, operationtype: 1, messagename: "Update",
      primaryentitytype: "account", _regardingobjectid_value: accountId, depth: 1,
    });
    expect(dispatched).toEqual([[job.asyncoperationid]]);

    const context = (await service.jobContexts.read(org, job.asyncoperationid))!;
    expect(context).toMatchObject({ mode: 1, stage: 40, isInTransaction: false, operationId: job.asyncoperationid, messageName: "Update", primaryEntityId: accountId, depth: 1 });
    expect(context.correlationId).toBe(job.correlationid);
    expect(context.requestId).toBe(job.requestid);
    expect(context.owningExtension?.id).toBe(stepId);
    expect(context.parentContext).toMatchObject({ stage: 30, mode: 1, operationId: job.asyncoperationid });
    expect(context.operationCreatedOn.toDate().getTime()).toBe(Date.parse(job.createdon));
    // As Dataverse lists it: the primary name, then the id (a Guid, also after the stored context's round trip).
    expect([...context.postEntityImages.get(ASYNC_PRIMARY_NAME_IMAGE)!.attributes]).toEqual([
      ["name", "Async Ltd"],
      ["accountid", guid(accountId)],
    ]);
    expect(Object.fromEntries(context.preEntityImages.get("image")!.attributes)).toEqual({ telephone1: "1" });
    expect(Object.fromEntries(context.postEntityImages.get("image")!.attributes)).toEqual({ telephone1: "2" });
  });

  it("leaves no system job and no stored context when the operation rolls back", async () => {
    const accountId = idFromHeader(await api("POST", "accounts", { body: { name: "Rolled back Ltd" } }));
    const rowsBefore = await contextRows();
    const jobsBefore = (await api("GET", "asyncoperations?$select=name")).json.value.length;
    expect((await api("PATCH", `accounts(${accountId})`, { body: { name: "fail", telephone1: "3" } })).status).toBe(400);
    expect((await api("GET", "asyncoperations?$select=name")).json.value).toHaveLength(jobsBefore);
    expect(await contextRows()).toBe(rowsBefore);
    expect(dispatched).toHaveLength(1);
  });

  it("runs an asynchronous plug-in step from its stored context, its calls one level deeper on the same correlation", async () => {
    const step = await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, script: { label: "job", onlyIfName: "Job source", createAccount: "Made by the job" } });
    await api("POST", "accounts", { body: { name: "Job source" } });
    const job = (await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${step}`)).json.value[0];
    expect(seen.get(org)?.some((entry) => entry.label === "job")).toBe(false);

    const context = (await service.jobContexts.read(org, job.asyncoperationid))!;
    await service.pipeline.runJob(await service.directory.get(org), context);
    const [ran] = seen.get(org)!.filter((entry) => entry.label === "job");
    expect(ran).toMatchObject({ stage: 40, mode: 1, isInTransaction: false, depth: 1, operationId: job.asyncoperationid, correlationId: job.correlationid });
    expect((await api("GET", "accounts?$filter=name eq 'Made by the job'")).json.value).toHaveLength(1);
  });

  it("writes OperationCreatedOn with an offset and the parent's OutputParameters empty, as the real asynchronous Create", async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const real: any = JSON.parse(readFileSync(join(DATAVERSE_FIXTURES_DIR, "async-create-with-queryexpression-parent.json"), "utf8"));
    const step = await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, name: "async create", script: {} });
    const accountId = idFromHeader(await api("POST", "accounts", { body: { name: "Shape Ltd" } }));
    const job = (await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${step}`)).json.value[0];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const posted: any = JSON.parse(encodeContextJson((await service.jobContexts.read(org, job.asyncoperationid))!));

    const offsetDate = /^\/Date\(\d+[+-]\d{4}\)\/$/;
    expect([real.OperationCreatedOn, real.ParentContext.OperationCreatedOn]).toEqual([expect.stringMatching(offsetDate), expect.stringMatching(offsetDate)]);
    const createdOn = `/Date(${Date.parse(job.createdon)}+0000)/`;
    expect([posted.OperationCreatedOn, posted.ParentContext.OperationCreatedOn]).toEqual([createdOn, createdOn]);

    expect(real.OutputParameters.map((parameter: { key: string }) => parameter.key)).toEqual(["id"]);
    expect(real.ParentContext.OutputParameters).toEqual([]);
    expect(posted.OutputParameters).toEqual([{ key: "id", value: accountId }]);
    expect(posted.ParentContext.OutputParameters).toEqual([]);
  });
});
