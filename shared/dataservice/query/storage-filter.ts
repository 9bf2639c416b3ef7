import type { Token } from "@odata/parser";
import type { ColumnType } from "../metadata/columns";
import type { TableDefinition } from "../metadata/tables";
import { COMPARISONS, literalFor, memberColumn } from "./filter";

/**
 * The part of a `$filter` Table Storage can apply itself, so a scan reads fewer rows: the top-level
 * `and` terms that compare a column stored with an exact, typed representation to a value. Strings
 * stay in memory (Dataverse compares them case-insensitively, storage does not), as do decimals (kept
 * as text), Int64/Double (storage does not compare across numeric types) and null tests. The in-memory
 * filter still runs on every row, so this only narrows what is read.
 */
export function storageFilterOf(table: TableDefinition, tree: Token): string | undefined {
  const terms = pushableTerms(table, tree);
  return terms.length > 0 ? terms.join(" and ") : undefined;
}

const OPERATORS: Record<string, string> = {
  EqualsExpression: "eq",
  LesserThanExpression: "lt",
  LesserOrEqualsExpression: "le",
  GreaterThanExpression: "gt",
  GreaterOrEqualsExpression: "ge",
};

const PUSHABLE_TYPES = new Set<ColumnType>(["Integer", "Picklist", "State", "Status", "Boolean", "DateTime", "Uniqueidentifier", "Lookup", "Owner"]);

function pushableTerms(table: TableDefinition, node: Token): string[] {
  if (node.type === "AndExpression") return [...pushableTerms(table, node.value.left), ...pushableTerms(table, node.value.right)];
  if (node.type === "BoolParenExpression" && node.value.type === "AndExpression") return pushableTerms(table, node.value);
  const operator = OPERATORS[node.type];
  if (!operator || !(node.type in COMPARISONS)) return [];
  const column = memberColumn(table, node.value.left);
  const value = literalFor(column, node.value.right);
  if (value === null || !PUSHABLE_TYPES.has(column.type)) return [];
  const literal =
    column.type === "DateTime"
      ? `datetime'${new Date(value as number).toISOString()}'`
      : typeof value === "string"
        ? `'${value}'`
        : String(value);
  return [`${column.logicalName} ${operator} ${literal}`];
}
