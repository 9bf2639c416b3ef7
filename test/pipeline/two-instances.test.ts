import { describe, expect, it } from "vitest";
import { createEndpointPoster } from "../../shared/delivery";
import { jobAttemptDependencies, JobStatus, runJobAttempt } from "../../shared/jobs";
import { eventually } from "../host/run-host";
import { uniqueOrganization } from "../support/data-service";
import { idFromHeader, pipelineForTests, registerStep } from "./support";

/** The registration cache's TTL on the second instance, scaled down from the documented 30 s. */
const TTL_MS = 1_500;

// Two instances of the app (each its own caches) against one storage account: a registration change made
// through one counts on the other once its cache's TTL has passed.
describe("a registration change made through another instance", () => {
  const organization = uniqueOrganization("twoinst");
  const first = pipelineForTests([organization]);
  const second = pipelineForTests([organization], { registrationTtlMs: TTL_MS });
  // A third runs job attempts, with the documented TTL: its cache, loaded before the registration, lacks the step.
  const third = pipelineForTests([organization]);
  const [api1, api2, api3] = [first.api(organization), second.api(organization), third.api(organization)];
  const jobsOf = async (id: string) => (await api1("GET", `asyncoperations?$filter=_regardingobjectid_value eq ${id}&$select=name`)).json.value as unknown[];
  const createOn = async (api: typeof api1) => idFromHeader(await api("POST", "accounts", { body: { name: "two instances" } }));

  it("is seen by the other instance's pipeline within its TTL (a new step, then its deletion), and by its job attempts at once", async () => {
    // The other instances cache the registrations: none yet.
    await createOn(api2);
    await createOn(api3);
    const registeredAt = Date.now();
    const stepId = await registerStep(api1, { message: "Create", table: "account", stage: 40, mode: 1, script: { label: "async" } });
    expect(await jobsOf(await createOn(api1))).toHaveLength(1); // this instance dropped its cache at once
    // The other instance stages the job once its cache expired, within the TTL.
    await eventually(async () => (await jobsOf(await createOn(api2))).length === 1, 10_000, "a job staged by the second instance");
    expect(Date.now() - registeredAt).toBeLessThan(TTL_MS + 1_000);

    // A job of the first instance runs on the third, whose cache lacks its step: it reloads, and runs the job.
    const [job] = (await api1("GET", `asyncoperations?$filter=_regardingobjectid_value eq ${await createOn(api1)}&$select=asyncoperationid`)).json.value;
    const deps = jobAttemptDependencies(third.service, createEndpointPoster(), { attempt: () => undefined, post: () => undefined });
    expect(await runJobAttempt(deps, { organization, jobId: job.asyncoperationid })).toEqual({ kind: "completed", statuscode: JobStatus.Succeeded });
    await deps.poster.close();

    expect((await api1("DELETE", `sdkmessageprocessingsteps(${stepId})`)).status).toBe(204);
    const deletedAt = Date.now();
    await eventually(async () => (await jobsOf(await createOn(api2))).length === 0, 10_000, "no job staged by the second instance");
    expect(Date.now() - deletedAt).toBeLessThan(TTL_MS + 1_000);
  });
});

const label = (text: string) => ({ LocalizedLabels: [{ Label: text, LanguageCode: 1033 }] });

// The organization's tables are cached per instance for 30 s: one created through another instance is found at once.
describe("a table created through another instance", () => {
  const organization = uniqueOrganization("twotab");
  const [api1, api2] = [pipelineForTests([organization]).api(organization), pipelineForTests([organization]).api(organization)];

  it("takes rows through this instance well within the cache's 30 s (its cached context lacked it: reloaded once)", async () => {
    await api2("GET", "accounts?$top=1"); // the second instance caches the organization's tables
    const created = await api1("POST", "EntityDefinitions", {
      body: {
        "@odata.type": "Microsoft.Dynamics.CRM.EntityMetadata",
        SchemaName: "new_Gauge",
        DisplayName: label("Gauge"),
        DisplayCollectionName: label("Gauges"),
        OwnershipType: "UserOwned",
        HasActivities: false,
        Attributes: [{ "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Name", IsPrimaryName: true, MaxLength: 100, DisplayName: label("Name") }],
      },
    });
    expect(created.status).toBe(204);
    // A context is reloaded for what it lacks once it is a second old (callers asking for what no instance has reload at most once a second).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const row = await api2("POST", "new_gauges", { body: { new_name: "Hall" } });
    expect(row.status).toBe(204);
    expect((await api2("GET", `new_gauges(${idFromHeader(row)})?$select=new_name`)).json.new_name).toBe("Hall");
    // A set no instance has is still a 404.
    expect((await api2("GET", "new_nothings")).status).toBe(404);
  });
});
