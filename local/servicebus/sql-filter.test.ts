import { describe, expect, it } from "vitest";
import { compileSqlFilter, UnsupportedSqlError } from "./sql-filter";

const message = { sys: { Label: "order", MessageId: "m-1" } as Record<string, unknown>, user: { amount: 150, kind: "b", region: "eu" } as Record<string, unknown> };
const lookup = (scope: "sys" | "user", name: string) => message[scope][name];

describe("SQL filters", () => {
  it.each([
    ["amount = 150", true],
    ["amount <> 150", false],
    ["amount > 100 AND kind = 'b'", true],
    ["amount > 200 OR region = 'eu'", true],
    ["kind IN ('a', 'b')", true],
    ["kind NOT IN ('a', 'b')", false],
    ["EXISTS(region) AND NOT EXISTS(missing)", true],
    ["sys.Label = 'order' AND sys.MessageId = 'm-1'", true],
    ["user.[region] = 'eu'", true],
    ["missing = 1", false],
    ["missing <> 1", false],
    ["NOT (missing = 1)", false],
    ["missing = 1 OR amount = 150", true],
    ["NOT (missing = 1 AND amount = 1)", true],
    ["missing IN (1, 2)", false],
    ["missing IS NULL", true],
    ["sys.Label LIKE 'ord%'", true],
    ["1=1", true],
    ["1=0", false],
  ])("%s → %s", (expression, expected) => {
    expect(compileSqlFilter(expression)(lookup)).toBe(expected);
  });

  it("refuses syntax outside the supported subset with a clear error", () => {
    expect(() => compileSqlFilter("amount + 1 > 2")).toThrow(UnsupportedSqlError);
    expect(() => compileSqlFilter("amount > 2 ORDER BY x")).toThrow(/unsupported SQL filter/);
  });
});
