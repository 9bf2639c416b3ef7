import { defaultParser, type Token } from "@odata/parser";
import { DATAVERSE_SPECIFIC_CODES, PipelineError } from "../../errors";
import type { ColumnDefinition } from "../metadata/columns";
import { EDM_TYPE, parseEdm } from "../metadata/edm";
import type { TableDefinition } from "../metadata/tables";
import { resolveColumnReference } from "../metadata/validate";
import { isLookupValue, type ColumnValue, type StoredRecord } from "../store/records";

/** A compiled `$filter`: true for the records it keeps. */
export type RecordPredicate = (record: StoredRecord) => boolean;

/** SQL's three-valued logic, as Dataverse evaluates filters: a comparison with a null column is unknown. */
type Truth = boolean | null;
type Condition = (record: StoredRecord) => Truth;

type Comparable = string | number | boolean | null;

export function queryError(message: string): PipelineError {
  return new PipelineError("InvalidFormat", message, { dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError });
}

/** Parses `$filter` with @odata/parser. */
export function parseFilter(text: string): Token {
  try {
    return defaultParser.filter(text);
  } catch (error) {
    throw queryError(`The query parameter $filter is invalid: ${(error as Error).message}.`);
  }
}

/** Compiles a parsed `$filter` against the table's typed columns. */
export function compileFilter(table: TableDefinition, tree: Token): RecordPredicate {
  const condition = compileBoolean(table, tree);
  return (record) => condition(record) === true;
}

export const COMPARISONS: Record<string, (order: number) => boolean> = {
  EqualsExpression: (order) => order === 0,
  NotEqualsExpression: (order) => order !== 0,
  LesserThanExpression: (order) => order < 0,
  LesserOrEqualsExpression: (order) => order <= 0,
  GreaterThanExpression: (order) => order > 0,
  GreaterOrEqualsExpression: (order) => order >= 0,
};

const STRING_METHODS: Record<string, (value: string, argument: string) => boolean> = {
  contains: (value, argument) => value.includes(argument),
  startswith: (value, argument) => value.startsWith(argument),
  endswith: (value, argument) => value.endsWith(argument),
};

function compileBoolean(table: TableDefinition, node: Token): Condition {
  switch (node.type) {
    case "AndExpression": {
      const [left, right] = [compileBoolean(table, node.value.left), compileBoolean(table, node.value.right)];
      return (record) => {
        const [a, b] = [left(record), right(record)];
        return a === false || b === false ? false : a === null || b === null ? null : true;
      };
    }
    case "OrExpression": {
      const [left, right] = [compileBoolean(table, node.value.left), compileBoolean(table, node.value.right)];
      return (record) => {
        const [a, b] = [left(record), right(record)];
        return a === true || b === true ? true : a === null || b === null ? null : false;
      };
    }
    case "NotExpression": {
      const inner = compileBoolean(table, node.value);
      return (record) => {
        const value = inner(record);
        return value === null ? null : !value;
      };
    }
    case "BoolParenExpression":
    case "ParenExpression":
    case "CommonExpression":
      return compileBoolean(table, node.value);
    case "MethodCallExpression":
      return compileMethod(table, node);
    default:
      if (node.type in COMPARISONS) return compileComparison(table, node, COMPARISONS[node.type]);
      throw queryError(`The $filter expression '${node.raw}' is not supported.`);
  }
}

function compileComparison(table: TableDefinition, node: Token, test: (order: number) => boolean): Condition {
  const column = memberColumn(table, node.value.left);
  const literal = node.value.right as Token;
  const operand = literalFor(column, literal);
  const isEquality = node.type === "EqualsExpression" || node.type === "NotEqualsExpression";
  if (operand === null) {
    if (!isEquality) throw queryError(`null can only be compared with eq or ne ('${node.raw}').`);
    return (record) => test(comparableOf(column, record.values[column.logicalName] ?? null) === null ? 0 : 1);
  }
  return (record) => {
    const value = comparableOf(column, record.values[column.logicalName] ?? null);
    return value === null ? null : test(compare(value, operand));
  };
}

function compileMethod(table: TableDefinition, node: Token): Condition {
  const method = String(node.value.method).toLowerCase();
  const apply = STRING_METHODS[method];
  const [member, argument] = node.value.parameters as Token[];
  if (!apply || !member || !argument) throw queryError(`The $filter function '${node.raw}' is not supported.`);
  const column = memberColumn(table, member);
  if (column.type !== "String" && column.type !== "Memo") throw queryError(`${method} applies to text columns only ('${column.logicalName}').`);
  const text = literalFor(column, argument);
  if (typeof text !== "string") throw queryError(`${method} needs a text argument ('${node.raw}').`);
  return (record) => {
    const value = record.values[column.logicalName];
    return typeof value === "string" ? apply(value.toLowerCase(), text) : null;
  };
}

export function memberColumn(table: TableDefinition, node: Token): ColumnDefinition {
  if (node?.type !== "FirstMemberExpression" || String(node.raw).includes("/")) {
    throw queryError(`Expected a column name in $filter, found '${node?.raw}'.`);
  }
  return resolveColumnReference(table, String(node.raw));
}

/** The literal converted to the column's comparable form; strings compare case-insensitively as in Dataverse. */
export function literalFor(column: ColumnDefinition, node: Token): Comparable {
  if (node?.type !== "Literal") throw queryError(`Expected a literal value, found '${node?.raw}'.`);
  const raw = String(node.raw);
  if (node.value === "null") return null;
  const mismatch = () => queryError(`Cannot convert the literal '${raw}' to the expected type '${EDM_TYPE[column.type]}' of '${column.logicalName}'.`);
  const text = node.value === "Edm.String" ? raw.slice(1, -1).replace(/''/g, "'") : raw;
  switch (column.type) {
    case "String":
    case "Memo":
      if (node.value !== "Edm.String") throw mismatch();
      return text.toLowerCase();
    case "Boolean":
      if (node.value !== "Edm.Boolean") throw mismatch();
      return raw === "true";
    case "DateTime": {
      const date = parseEdm.dateTime(text);
      if (date === undefined) throw mismatch();
      return Date.parse(date);
    }
    case "Uniqueidentifier":
    case "Lookup":
    case "Owner": {
      const guid = parseEdm.guid(text);
      if (guid === undefined) throw mismatch();
      return guid;
    }
    case "MultiSelectPicklist":
      return text.split(",").map((item) => Number(item.trim())).sort((a, b) => a - b).join(",");
    default: {
      if (node.value === "Edm.String" || node.value === "Edm.Boolean" || node.value === "Edm.Guid") throw mismatch();
      const number = Number(text);
      if (!Number.isFinite(number)) throw mismatch();
      return number;
    }
  }
}

/** A stored value in the same comparable form as `literalFor`. */
export function comparableOf(column: ColumnDefinition, value: ColumnValue | null): Comparable {
  if (value === null) return null;
  if (isLookupValue(value)) return value.id.toLowerCase();
  if (Array.isArray(value)) return [...value].sort((a, b) => a - b).join(",");
  switch (column.type) {
    case "String":
    case "Memo":
    case "Uniqueidentifier":
      return String(value).toLowerCase();
    case "DateTime":
      return Date.parse(String(value));
    case "Decimal":
    case "Money":
      return Number(value);
    default:
      return value as Comparable;
  }
}

export function compare(left: Exclude<Comparable, null>, right: Exclude<Comparable, null>): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
