import { describe, expect, it } from "vitest";
import { TableCatalog } from "../metadata/catalog";
import type { TableDefinition } from "../metadata/tables";
import { filterExpressionOf, parseFilter } from "./filter";
import { storageFilterOf } from "./storage-filter";

const account = new TableCatalog().table("account") as TableDefinition;
const pushed = (filter: string) => storageFilterOf(account, filterExpressionOf(account, parseFilter(filter)));

describe("storageFilterOf", () => {
  it("pushes the top-level and-terms on exactly stored columns", () => {
    expect(pushed("statecode eq 0 and _parentaccountid_value eq 6D81597F-0F9F-E711-8122-000D3AA2331C and createdon ge 2024-01-01")).toBe(
      "statecode eq 0 and parentaccountid eq '6d81597f-0f9f-e711-8122-000d3aa2331c' and createdon ge datetime'2024-01-01T00:00:00.000Z'",
    );
    expect(pushed("(industrycode eq 7 and creditonhold eq true) and numberofemployees gt 10")).toBe("industrycode eq 7 and creditonhold eq true and numberofemployees gt 10");
  });

  it("keeps in memory what storage would answer differently: strings, decimals, null, ne, or, not", () => {
    expect(pushed("name eq 'Contoso'")).toBeUndefined();
    expect(pushed("revenue gt 10")).toBeUndefined();
    expect(pushed("statecode eq null")).toBeUndefined();
    expect(pushed("statecode ne 1")).toBeUndefined();
    expect(pushed("statecode eq 0 or statecode eq 1")).toBeUndefined();
    expect(pushed("not (statecode eq 0)")).toBeUndefined();
    expect(pushed("name eq 'x' and statecode eq 0")).toBe("statecode eq 0");
  });
});
