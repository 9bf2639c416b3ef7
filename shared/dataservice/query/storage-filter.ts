import { LogicalOperator, type FilterExpression } from "../../model";
import type { ColumnType } from "../metadata/columns";
import type { TableDefinition } from "../metadata/tables";
import { Operator, conditionOperand, queryColumn } from "./conditions";

/**
 * The part of a query's criteria Table Storage can apply itself, so a scan reads fewer rows: the
 * conditions under nested And filters that compare a column stored with an exact, typed representation
 * to a value. Strings stay in memory (Dataverse compares them case-insensitively, storage does not), as
 * do decimals (kept as text), Int64/Double (storage does not compare across numeric types) and null
 * tests. The in-memory criteria still run on every row, so this only narrows what is read.
 */
export function storageFilterOf(table: TableDefinition, criteria: FilterExpression): string | undefined {
  const terms = pushableTerms(table, criteria);
  return terms.length > 0 ? terms.join(" and ") : undefined;
}

const OPERATORS: Record<number, string> = {
  [Operator.Equal]: "eq",
  [Operator.LessThan]: "lt",
  [Operator.LessEqual]: "le",
  [Operator.GreaterThan]: "gt",
  [Operator.GreaterEqual]: "ge",
};

const PUSHABLE_TYPES = new Set<ColumnType>(["Integer", "Picklist", "State", "Status", "Boolean", "DateTime", "Uniqueidentifier", "Lookup", "Owner"]);

function pushableTerms(table: TableDefinition, filter: FilterExpression): string[] {
  if (filter.filterOperator !== LogicalOperator.And) return [];
  const terms: string[] = [];
  for (const condition of filter.conditions) {
    const operator = OPERATORS[condition.operator];
    if (!operator || condition.values.length !== 1 || condition.compareColumns || condition.entityName) continue;
    const column = queryColumn(table, condition.attributeName);
    if (!PUSHABLE_TYPES.has(column.type)) continue;
    const value = conditionOperand(column, condition.values[0], operator);
    if (value === null || (typeof value === "number" && !Number.isFinite(value))) continue;
    const literal =
      column.type === "DateTime"
        ? `datetime'${new Date(value as number).toISOString()}'`
        : typeof value === "string"
          ? `'${value}'`
          : String(value);
    terms.push(`${column.logicalName} ${operator} ${literal}`);
  }
  return [...terms, ...filter.filters.flatMap((child) => pushableTerms(table, child))];
}
