import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dataServiceForTests, entityIdOf, uniqueOrganization } from "../../../test/support/data-service";

const org = uniqueOrganization();
const { api, service } = dataServiceForTests([org]);
const web = api(org);

describe("storage round trips per request (organization context cached)", () => {
  it("Create 1, Retrieve 1, Update 2, Delete 2", async () => {
    await web("GET", "WhoAmI");
    const create = await service.roundTrips.measure(() => web("POST", "accounts", { body: { name: "Counted", revenue: 10.5, industrycode: 7 } }));
    expect(create.roundTrips).toBe(1);
    const id = entityIdOf(create.result);
    expect((await service.roundTrips.measure(() => web("GET", `accounts(${id})`))).roundTrips).toBe(1);
    expect((await service.roundTrips.measure(() => web("PATCH", `accounts(${id})`, { body: { name: "Counted again" } }))).roundTrips).toBe(2);
    expect((await service.roundTrips.measure(() => web("DELETE", `accounts(${id})`))).roundTrips).toBe(2);
  });

  it("an upsert (PATCH) costs what an Update does: the read that decides create or update, then one write", async () => {
    const upsertCreate = await service.roundTrips.measure(() => web("PATCH", `accounts(${randomUUID()})`, { body: { name: "Upserted" } }));
    expect(upsertCreate.result.status).toBe(204);
    expect(upsertCreate.roundTrips).toBe(2);
    const id = entityIdOf(upsertCreate.result);
    expect((await service.roundTrips.measure(() => web("PATCH", `accounts(${id})`, { body: { name: "Upserted again" } }))).roundTrips).toBe(2);
  });

  it("a lookup to another row adds one read to check it exists; lookups to users are checked from the cache", async () => {
    const parent = entityIdOf(await web("POST", "accounts", { body: { name: "Parent" } }));
    const { UserId } = (await web("GET", "WhoAmI")).json;
    const create = await service.roundTrips.measure(() =>
      web("POST", "accounts", { body: { name: "Child", "parentaccountid@odata.bind": `/accounts(${parent})`, "ownerid@odata.bind": `/systemusers(${UserId})` } }),
    );
    expect(create.result.status).toBe(204);
    expect(create.roundTrips).toBe(2);
  });
});
