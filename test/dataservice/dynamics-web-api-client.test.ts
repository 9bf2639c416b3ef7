import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamicsWebApi } from "dynamics-web-api";
import type { LoopbackServer } from "../../local/util/loopback-http";
import { dataServiceForTests, serveDataService, uniqueOrganization } from "../support/data-service";

/** A standard Dataverse Web API client library (dynamics-web-api), pointed at a plain base URL. */
const org = uniqueOrganization();
let server: LoopbackServer;
let client: DynamicsWebApi;

beforeAll(async () => {
  server = await serveDataService(dataServiceForTests([org]).service);
  client = new DynamicsWebApi({ serverUrl: `${server.origin}/${org}/`, dataApi: { version: "9.2" } });
});

afterAll(() => server.close());

interface Account {
  accountid?: string;
  name?: string;
  revenue?: number;
  numberofemployees?: number;
  "@odata.etag"?: string;
}

describe("dynamics-web-api against the data service", () => {
  it("creates, retrieves, updates and deletes a row", async () => {
    const id = await client.create<Account, string>({ collection: "accounts", data: { name: "Client Co", revenue: 1500 } });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const retrieved = await client.retrieve<Account>({ collection: "accounts", key: id, select: ["name", "revenue"] });
    expect(retrieved).toMatchObject({ accountid: id, name: "Client Co", revenue: 1500 });

    await client.update({ collection: "accounts", key: id, data: { name: "Client Co Renamed" }, ifmatch: retrieved["@odata.etag"] });
    expect((await client.retrieve<Account>({ collection: "accounts", key: id, select: ["name"] })).name).toBe("Client Co Renamed");

    // The library reports a 412 on an If-Match update as `false` (the precondition failed, nothing changed).
    expect(await client.update({ collection: "accounts", key: id, data: { name: "Stale" }, ifmatch: retrieved["@odata.etag"] })).toBe(false);
    expect((await client.retrieve<Account>({ collection: "accounts", key: id, select: ["name"] })).name).toBe("Client Co Renamed");

    await client.deleteRecord({ collection: "accounts", key: id });
    await expect(client.retrieve({ collection: "accounts", key: id })).rejects.toMatchObject({ status: 404, code: "0x80040217" });
  });

  it("queries with $filter, $select, $orderby, $top and paging", async () => {
    for (let n = 1; n <= 7; n++) await client.create({ collection: "accounts", data: { name: `Paged ${n}`, numberofemployees: n * 10 } });

    const top = await client.retrieveMultiple<Account>({
      collection: "accounts",
      select: ["name", "numberofemployees"],
      filter: "startswith(name,'Paged') and numberofemployees ge 30",
      orderBy: ["numberofemployees desc"],
      top: 3,
    });
    expect(top.value.map((row) => row.name)).toEqual(["Paged 7", "Paged 6", "Paged 5"]);

    const all = await client.retrieveAll<Account>({
      collection: "accounts",
      select: ["name"],
      filter: "startswith(name,'Paged')",
      orderBy: ["name"],
      maxPageSize: 3,
    });
    expect(all.value.map((row) => row.name)).toEqual(["Paged 1", "Paged 2", "Paged 3", "Paged 4", "Paged 5", "Paged 6", "Paged 7"]);
  });
});
