import { describe, expect, it } from "vitest";
import { EntityCollection, Money, allColumns, columnSet, dateTime, double, int64, decimal, entity, entityReference, guid, keyValuePair, money, optionSetValue, optionSetValues, queryExpression, unsupportedValue } from "./index";

describe("unsupportedValue", () => {
  it("accepts every Value", () => {
    const values = [null, "text", 1.5, false, decimal("1.0"), dateTime(0), guid("6d81597f-0f9f-e711-8122-000d3aa2331c"), optionSetValue(1), optionSetValues(1, 2), money("2.50"),
      keyValuePair("contact", "Update"), entityReference("account", "6d81597f-0f9f-e711-8122-000d3aa2331c"), entity("account", undefined, { name: "A" }),
      new EntityCollection([entity("account")]), queryExpression("account", { columnSet: allColumns() }), columnSet("name"), int64(5), double(3), ["a", 1]];
    for (const value of values) expect(unsupportedValue(value)).toBeUndefined();
  });

  it("accepts an instance of a subclass of a value class, as the class itself (instances are recognized by their prototype first)", () => {
    class Cents extends Money {}
    expect(unsupportedValue(new Cents(decimal("2.50")))).toBeUndefined();
    expect(unsupportedValue(entity("account", undefined, { revenue: new Cents(decimal("1")) }))).toBeUndefined();
    expect(unsupportedValue(Object.setPrototypeOf([() => 1], Money.prototype))).toBe("an array whose item 0 is a function");
  });

  it("names what is not a Value, also inside arrays, KeyValuePairs, entities and collections", () => {
    expect(unsupportedValue(() => 1)).toBe("a function");
    expect(unsupportedValue({ a: 1 })).toBe("a plain object");
    expect(unsupportedValue(new Date())).toBe("a JS Date (a DateTimeValue holds a date)");
    expect(unsupportedValue(undefined)).toBe("undefined");
    expect(unsupportedValue(Number.NaN)).toBe("the number NaN");
    expect(unsupportedValue(new Map())).toBe("an instance of Map");
    expect(unsupportedValue(["a", () => 1])).toBe("an array whose item 1 is a function");
    expect(unsupportedValue(keyValuePair("k", { a: 1 } as never))).toBe("a KeyValuePair whose value is a plain object");
    const account = entity("account");
    account.attributes.set("when", new Date() as never);
    expect(unsupportedValue(new EntityCollection([entity("account"), account]))).toBe("an EntityCollection whose entity 1 is an Entity whose attribute 'when' is a JS Date (a DateTimeValue holds a date)");
    expect(unsupportedValue(new EntityCollection([entityReference("account", "6d81597f-0f9f-e711-8122-000d3aa2331c") as never]))).toBe("an EntityCollection whose entity 0 is not an Entity");
  });
});
