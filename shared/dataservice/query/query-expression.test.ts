import { describe, expect, it } from "vitest";
import { LogicalOperator, OrderType, columnSet, condition, filterExpression, guid, optionSetValue, queryExpression, type ConditionExpression } from "../../model";
import { TableCatalog } from "../metadata/catalog";
import type { TableDefinition } from "../metadata/tables";
import type { ColumnValues, StoredRecord } from "../store/records";
import { Operator } from "./conditions";
import { parseQuery } from "./query";
import { compileQuery, projectRecord, runQuery } from "./query-expression";

const account = new TableCatalog().table("account") as TableDefinition;
const ID = "6d81597f-0f9f-e711-8122-000d3aa2331c";
const rows: StoredRecord[] = ([
  { name: "50% off", numberofemployees: 5, industrycode: 7, accountid: ID },
  { name: "500 off", numberofemployees: 50, industrycode: 13 },
  { name: "a_b", numberofemployees: null, industrycode: 7 },
  { name: "Bravo", numberofemployees: 500, industrycode: null },
] as ColumnValues[]).map((values, index) => ({ table: "account", id: `00000000-0000-0000-0000-00000000000${index}`, values, etag: "" }));

function namesWhere(...conditions: ConditionExpression[]): string[] {
  const query = queryExpression("account", { criteria: filterExpression(LogicalOperator.And, conditions), orders: [{ alias: null, attributeName: "name", orderType: OrderType.Ascending }] });
  return runQuery(compileQuery(account, query), rows).map((row) => String(row.values.name));
}

describe("QueryExpression execution", () => {
  it("escapes Like's wildcards in an OData string function, and runs Like patterns", () => {
    const { query: contains } = parseQuery(account, { $filter: "contains(name,'0%')" });
    expect(contains.criteria.conditions[0]).toMatchObject({ operator: Operator.Like, values: ["%0[%]%"] });
    expect(runQuery(compileQuery(account, contains), rows).map((row) => row.values.name)).toEqual(["50% off"]);
    expect(namesWhere(condition("name", Operator.Like, "_0%"))).toEqual(["50% off", "500 off"]);
    expect(namesWhere(condition("name", Operator.Like, "%[_]%"))).toEqual(["a_b"]);
    expect(namesWhere(condition("name", Operator.NotLike, "%off"))).toEqual(["a_b", "Bravo"]);
    expect(namesWhere(condition("name", Operator.BeginsWith, "BRA"))).toEqual(["Bravo"]);
  });

  it("runs In, NotIn, Between and Null with SQL's three-valued logic, on the SDK's typed values", () => {
    expect(namesWhere(condition("industrycode", Operator.In, optionSetValue(7), 13))).toEqual(["50% off", "500 off", "a_b"]);
    expect(namesWhere(condition("industrycode", Operator.NotIn, 7))).toEqual(["500 off"]);
    expect(namesWhere(condition("numberofemployees", Operator.Between, 5, 50))).toEqual(["50% off", "500 off"]);
    expect(namesWhere(condition("numberofemployees", Operator.NotBetween, 5, 50))).toEqual(["Bravo"]);
    expect(namesWhere(condition("numberofemployees", Operator.Null))).toEqual(["a_b"]);
    expect(namesWhere(condition("accountid", Operator.Equal, guid(ID.toUpperCase())))).toEqual(["50% off"]);
  });

  it("applies Or filters, TopCount and the ColumnSet", () => {
    const criteria = filterExpression(LogicalOperator.Or, [condition("numberofemployees", Operator.GreaterThan, 100)]);
    criteria.filters.push(filterExpression(LogicalOperator.And, [condition("industrycode", Operator.Equal, 7), condition("numberofemployees", Operator.LessThan, 10)]));
    const query = compileQuery(account, queryExpression("account", { criteria, columnSet: columnSet("name"), topCount: 1, orders: [{ alias: null, attributeName: "name", orderType: OrderType.Descending }] }));
    const found = runQuery({ ...query, top: undefined }, rows);
    expect(found.map((row) => row.values.name)).toEqual(["Bravo", "50% off"]);
    expect(runQuery(query, rows)).toHaveLength(1);
    expect(projectRecord(account, found[0], query.columns).values).toEqual({ accountid: null, name: "Bravo" });
  });

  it("refuses what it cannot run, with a 400 naming it", () => {
    const refused = (change: Parameters<typeof queryExpression>[1], message: RegExp) =>
      expect(() => compileQuery(account, queryExpression("account", change))).toThrow(expect.objectContaining({ code: "InvalidFormat", message: expect.stringMatching(message) }));
    refused({ criteria: filterExpression(LogicalOperator.And, [condition("name", Operator.Today)]) }, /Today .*not supported/);
    refused({ criteria: filterExpression(LogicalOperator.And, [condition("nosuch", Operator.Equal, 1)]) }, /doesn't contain attribute with Name = 'nosuch'/);
    refused({ criteria: filterExpression(LogicalOperator.And, [condition("numberofemployees", Operator.Equal, "many")]) }, /not of the column's type/);
    refused({ columnSet: columnSet("name", "nosuch") }, /nosuch/);
    refused({ topCount: -1 }, /TopCount/);
    refused({ linkEntities: [{} as never] }, /LinkEntities/);
    expect(() => compileQuery(account, queryExpression("contact"))).toThrow(/EntityName 'contact'/);
  });
});
