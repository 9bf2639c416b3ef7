import { describe, expect, it } from "vitest";
import {
  Decimal,
  DateTimeValue,
  Money,
  contextChain,
  createContext,
  dateTime,
  decimal,
  entity,
  entityReference,
  money,
  optionSetValues,
} from "./index";

describe("execution-context model", () => {
  it("builds entities from plain objects and lower-cases ids", () => {
    const account = entity("account", "EC4E2F7D-9D60-E811-A95A-000D3AF24950", {
      name: "Contoso",
      revenue: money("10.50"),
      createdon: new Date(Date.UTC(2024, 0, 2)),
      colors: optionSetValues(1, 2),
    });
    expect(account.id).toBe("ec4e2f7d-9d60-e811-a95a-000d3af24950");
    expect(account.get("name")).toBe("Contoso");
    expect(account.get<Money>("revenue")?.value.text).toBe("10.50");
    expect(account.get<DateTimeValue>("createdon")).toEqual(new DateTimeValue(Date.UTC(2024, 0, 2)));
    expect(account.toEntityReference()).toEqual(entityReference("account", account.id));
  });

  it("keeps a decimal's scale and a date's offset kind", () => {
    expect(decimal("1.0000000000").text).toBe("1.0000000000");
    expect(dateTime(1506409448000, "-0700").offsetMinutes).toBe(-420);
    expect(() => new Decimal("1,5")).toThrow(/not a decimal/);
    expect(() => entity("account", "not-a-guid")).toThrow(/not a GUID/);
    expect(() => entity("account", "aaaaaaaa-aaaa-aaaa-aaaa-aaaa-aaaaaaa")).toThrow(/not a GUID/);
    expect(entity("account", "{EC4E2F7D-9D60-E811-A95A-000D3AF24950}").id).toBe("ec4e2f7d-9d60-e811-a95a-000d3af24950");
  });

  it("creates a context with Dataverse's defaults and a ParentContext chain", () => {
    const parent = createContext({ stage: 30, messageName: "Update" });
    const context = createContext({
      messageName: "Update",
      stage: 40,
      parentContext: parent,
      userId: "75C2DD85-E89E-E711-8122-000D3AA2331C",
      inputParameters: { Target: entity("contact") },
    });
    expect(context.userId).toBe("75c2dd85-e89e-e711-8122-000d3aa2331c");
    expect(context.requestId).toBe(context.operationId);
    expect(context.secondaryEntityName).toBe("none");
    expect(context.inputParameters.get("Target")).toEqual(entity("contact"));
    expect(contextChain(context).map((c) => c.stage)).toEqual([40, 30]);
  });
});
