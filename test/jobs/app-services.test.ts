import { afterAll, describe, expect, it } from "vitest";
import { readDataServiceSettings } from "../../shared/dataservice";
import { createAppServices, JobStatus } from "../../shared/jobs";
import { uniqueOrganization } from "../support/data-service";
import { seen } from "../pipeline/scripted-plugin";
import { registerStep, testPlugins, webApiClient } from "../pipeline/support";

const organization = uniqueOrganization("app");
const env = { AzureWebJobsStorage: process.env.AzureWebJobsStorage, Organizations: organization, AllowAnonymousAsAdmin: "true" };
const services = createAppServices(env, { plugins: testPlugins(), settings: readDataServiceSettings(env) });
const api = webApiClient(services.pipeline)(organization);

async function jobOf(stepId: string): Promise<string> {
  const jobs = await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${stepId}`);
  expect(jobs.json.value).toHaveLength(1);
  return jobs.json.value[0].asyncoperationid;
}

describe("the app's services (one per worker)", () => {
  afterAll(() => services.close());

  it("run a job for an asynchronous step the Web API registered after the job runtime had loaded its registrations", async () => {
    const first = await registerStep(api, { message: "Create", table: "contact", stage: 40, mode: 1, script: { label: "first-async" } });
    await api("POST", "contacts", { body: { lastname: "First" } });
    expect(await services.jobs.attempt({ organization, jobId: await jobOf(first) })).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });

    const second = await registerStep(api, { message: "Create", table: "account", stage: 40, mode: 1, script: { label: "second-async" } });
    await api("POST", "accounts", { body: { name: "Second" } });
    expect(await services.jobs.attempt({ organization, jobId: await jobOf(second) })).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });
    expect((seen.get(organization) ?? []).map((entry) => entry.label)).toEqual(["first-async", "second-async"]);
  });
});
