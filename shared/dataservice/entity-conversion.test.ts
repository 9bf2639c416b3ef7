import { describe, expect, it } from "vitest";
import { Decimal, DoubleValue, EntityReference, Int64Value, Money, OptionSetValue, double, entity, int64, money, optionSetValue } from "../model";
import { entityToValues, recordToEntity } from "./entity-conversion";
import { TableCatalog } from "./metadata/catalog";
import type { TableDefinition } from "./metadata/tables";

const catalog = new TableCatalog();
const account = catalog.table("account") as TableDefinition;
const serviceendpoint = catalog.table("serviceendpoint") as TableDefinition;
const id = "6d81597f-0f9f-e711-8122-000d3aa2331c";
const parent = "11111111-2222-3333-4444-555555555555";

describe("records as SDK entities", () => {
  it("gives each column its SDK type, keeping the decimal scale, and leaves nulls and secrets out", () => {
    const result = recordToEntity(
      account,
      {
        table: "account",
        id,
        etag: "W/1",
        values: { accountid: id, name: "Contoso", revenue: "1000.50", industrycode: 7, parentaccountid: { id: parent, logicalName: "account" }, createdon: "2024-01-02T03:04:05Z", telephone1: null },
      },
      new Map([[parent, "Parent"]]),
    );
    expect(result.get<Money>("revenue")?.value.text).toBe("1000.50");
    expect(result.get<OptionSetValue>("industrycode")?.value).toBe(7);
    expect(result.get<EntityReference>("parentaccountid")).toMatchObject({ logicalName: "account", id: parent, name: "Parent" });
    expect(result.get("createdon")).toMatchObject({ epochMs: Date.UTC(2024, 0, 2, 3, 4, 5) });
    expect(result.has("telephone1")).toBe(false);
    const endpoint = recordToEntity(serviceendpoint, { table: "serviceendpoint", id, etag: "", values: { name: "hook", authvalue: "secret" } });
    expect(endpoint.has("authvalue")).toBe(false);
  });

  it("types BigInt columns Int64 and Double columns Double (integral or not), and reads them back", () => {
    const job = catalog.table("asyncoperation") as TableDefinition;
    const result = recordToEntity(job, { table: "asyncoperation", id, etag: "", values: { sequence: 5, executiontimespan: 3, depth: 1 } });
    expect(result.get("sequence")).toEqual(new Int64Value(5));
    expect(result.get("executiontimespan")).toEqual(new DoubleValue(3));
    expect(result.get("depth")).toBe(1);
    expect(entityToValues(job, entity("asyncoperation", id, { sequence: int64(6), executiontimespan: double(2.5) }))).toEqual({ sequence: 6, executiontimespan: 2.5 });
    expect(entityToValues(job, entity("asyncoperation", id, { sequence: 7, executiontimespan: 1 }))).toEqual({ sequence: 7, executiontimespan: 1 });
    expect(() => entityToValues(job, entity("asyncoperation", id, { depth: int64(1) }))).toThrow(/depth/);
  });

  it("reads an Entity back into validated column values", () => {
    const values = entityToValues(account, entity("account", id, { name: "Contoso", revenue: money("12.3400"), industrycode: optionSetValue(7) }));
    expect(values).toEqual({ name: "Contoso", revenue: "12.3400", industrycode: 7 });
    expect(() => entityToValues(account, entity("account", id, { industrycode: optionSetValue(999) }))).toThrow(/industrycode/);
    expect(() => entityToValues(account, entity("account", id, { revenue: new Decimal("1") }))).toThrow(/revenue/);
    expect(() => entityToValues(account, entity("account", id, { nosuch: "x" }))).toThrow(/nosuch/);
  });
});
