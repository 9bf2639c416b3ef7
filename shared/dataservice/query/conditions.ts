import { DATAVERSE_SPECIFIC_CODES, PipelineError } from "../../errors";
import { CONDITION_OPERATORS, LogicalOperator, type ConditionExpression, type FilterExpression, type Value } from "../../model";
import type { ColumnDefinition } from "../metadata/columns";
import { EDM_TYPE, parseEdm } from "../metadata/edm";
import { findColumn, type TableDefinition } from "../metadata/tables";
import { isLookupValue, type ColumnValue, type StoredRecord } from "../store/records";

/** Criteria compiled for a table: true for the records they keep. */
export type RecordPredicate = (record: StoredRecord) => boolean;

/** SQL's three-valued logic, as Dataverse evaluates conditions: a comparison with a null column is unknown. */
type Truth = boolean | null;
type Condition = (record: StoredRecord) => Truth;

/** A value in the form conditions compare: strings lower-cased (Dataverse compares them case-insensitively), dates as epoch ms, guids canonical. */
type Comparable = string | number | boolean | null;

/** ConditionOperator numbers by name (the model keeps the SDK's enum as its list of names). */
export const Operator = Object.fromEntries(CONDITION_OPERATORS.map((name, index) => [name, index])) as Record<(typeof CONDITION_OPERATORS)[number], number>;

export function queryError(message: string): PipelineError {
  return new PipelineError("InvalidFormat", message, { dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError });
}

/** A ColumnSet, order or condition attribute: a logical name of the table (write-only secrets are not queryable). */
export function queryColumn(table: TableDefinition, name: string): ColumnDefinition {
  const column = findColumn(table, name);
  if (!column || column.writeOnly) throw queryError(`'${table.logicalName}' entity doesn't contain attribute with Name = '${name}'.`);
  return column;
}

/** Compiles a FilterExpression (a QueryExpression's Criteria) against the table's typed columns. */
export function compileCriteria(table: TableDefinition, criteria: FilterExpression): RecordPredicate | undefined {
  if (isEmpty(criteria)) return undefined;
  const condition = compileFilter(table, criteria);
  return (record) => condition(record) === true;
}

function isEmpty(filter: FilterExpression): boolean {
  return filter.conditions.length === 0 && filter.filters.every(isEmpty);
}

function compileFilter(table: TableDefinition, filter: FilterExpression): Condition {
  const parts = [...filter.conditions.map((condition) => compileCondition(table, condition)), ...filter.filters.filter((child) => !isEmpty(child)).map((child) => compileFilter(table, child))];
  if (filter.filterOperator !== LogicalOperator.And && filter.filterOperator !== LogicalOperator.Or) {
    throw queryError(`FilterOperator ${String(filter.filterOperator)} is not And (0) or Or (1).`);
  }
  // Three-valued: one part with the deciding truth (true for Or, false for And) decides; else any unknown is unknown.
  const deciding = filter.filterOperator === LogicalOperator.Or;
  return (record) => {
    let unknown = false;
    for (const part of parts) {
      const truth = part(record);
      if (truth === deciding) return deciding;
      if (truth === null) unknown = true;
    }
    return unknown ? null : !deciding;
  };
}

const ORDERED: Record<number, (order: number) => boolean> = {
  [Operator.Equal]: (order) => order === 0,
  [Operator.NotEqual]: (order) => order !== 0,
  [Operator.GreaterThan]: (order) => order > 0,
  [Operator.LessThan]: (order) => order < 0,
  [Operator.GreaterEqual]: (order) => order >= 0,
  [Operator.LessEqual]: (order) => order <= 0,
};

/** Operators on text: the pattern Like matches, built from the condition's value. */
const TEXT_PATTERNS: Record<number, { like: (value: string) => string; negated: boolean }> = {
  [Operator.Like]: { like: (value) => value, negated: false },
  [Operator.NotLike]: { like: (value) => value, negated: true },
  [Operator.BeginsWith]: { like: (value) => `${escapeLike(value)}%`, negated: false },
  [Operator.DoesNotBeginWith]: { like: (value) => `${escapeLike(value)}%`, negated: true },
  [Operator.EndsWith]: { like: (value) => `%${escapeLike(value)}`, negated: false },
  [Operator.DoesNotEndWith]: { like: (value) => `%${escapeLike(value)}`, negated: true },
};

function compileCondition(table: TableDefinition, condition: ConditionExpression): Condition {
  const name = CONDITION_OPERATORS[condition.operator] ?? String(condition.operator);
  if (condition.compareColumns) throw queryError(`Condition on '${condition.attributeName}': CompareColumns is not supported.`);
  if (condition.entityName) throw queryError(`Condition on '${condition.attributeName}': EntityName (a linked table) is not supported.`);
  const column = queryColumn(table, condition.attributeName);
  const valueOf = (record: StoredRecord) => comparableOf(column, record.values[column.logicalName] ?? null);
  const operands = () => condition.values.map((value) => conditionOperand(column, value, name));
  const arity = (count: number) => {
    if (condition.values.length !== count) throw queryError(`The ${name} condition on '${column.logicalName}' takes ${count} value(s), not ${condition.values.length}.`);
  };
  if (condition.operator === Operator.Null || condition.operator === Operator.NotNull) {
    arity(0);
    const isNull = condition.operator === Operator.Null;
    return (record) => (valueOf(record) === null) === isNull;
  }
  const ordered = ORDERED[condition.operator];
  if (ordered) {
    arity(1);
    const [operand] = operands();
    if (operand === null) throw queryError(`The ${name} condition on '${column.logicalName}' compares with null: use the Null or NotNull operator.`);
    return (record) => {
      const value = valueOf(record);
      return value === null ? null : ordered(compare(value, operand));
    };
  }
  if (condition.operator === Operator.In || condition.operator === Operator.NotIn) {
    if (condition.values.length === 0) throw queryError(`The ${name} condition on '${column.logicalName}' needs at least one value.`);
    const set = new Set(operands());
    const isIn = condition.operator === Operator.In;
    return (record) => {
      const value = valueOf(record);
      return value === null ? null : set.has(value) === isIn;
    };
  }
  if (condition.operator === Operator.Between || condition.operator === Operator.NotBetween) {
    arity(2);
    const [low, high] = operands();
    if (low === null || high === null) throw queryError(`The ${name} condition on '${column.logicalName}' has a null bound.`);
    const isBetween = condition.operator === Operator.Between;
    return (record) => {
      const value = valueOf(record);
      return value === null ? null : (compare(value, low) >= 0 && compare(value, high) <= 0) === isBetween;
    };
  }
  const text = TEXT_PATTERNS[condition.operator];
  if (text) {
    arity(1);
    if (column.type !== "String" && column.type !== "Memo") throw queryError(`${name} applies to text columns only ('${column.logicalName}').`);
    const [value] = condition.values;
    if (typeof value !== "string") throw queryError(`The ${name} condition on '${column.logicalName}' needs a text value.`);
    const pattern = likePattern(text.like(value));
    return (record) => {
      const stored = record.values[column.logicalName];
      return typeof stored === "string" ? pattern.test(stored) !== text.negated : null;
    };
  }
  throw queryError(`The condition operator ${name} (on '${column.logicalName}') is not supported by this service.`);
}

/** Escapes Like's wildcards in a literal text, as Dataverse does (`[%]`, `[_]`, `[[]`). */
export function escapeLike(text: string): string {
  return text.replace(/[%_[]/g, (char) => `[${char}]`);
}

/** SQL Like (`%` any text, `_` one character, `[…]` one of a set), case-insensitive. */
function likePattern(like: string): RegExp {
  let source = "";
  for (let i = 0; i < like.length; i++) {
    const char = like[i];
    if (char === "%") source += "[\\s\\S]*";
    else if (char === "_") source += "[\\s\\S]";
    else if (char === "[") {
      const end = like.indexOf("]", i + 2);
      if (end < 0) {
        source += "\\[";
        continue;
      }
      const set = like.slice(i + 1, end);
      const negated = set.startsWith("^");
      source += `[${negated ? "^" : ""}${(negated ? set.slice(1) : set).replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "i");
}

/** A condition's value (an SDK value: text, number, Guid, DateTime, OptionSetValue…) in the column's comparable form. */
export function conditionOperand(column: ColumnDefinition, value: Value, operator: string): Comparable {
  const converted = operandOf(column, value);
  if (converted === undefined) {
    throw queryError(`The value of the ${operator} condition on '${column.logicalName}' is not of the column's type (${EDM_TYPE[column.type]}).`);
  }
  return converted;
}

function operandOf(column: ColumnDefinition, value: Value): Comparable | undefined {
  if (value === null) return null;
  const type = column.type;
  const numeric = !["String", "Memo", "Boolean", "DateTime", "Uniqueidentifier", "Lookup", "Owner", "MultiSelectPicklist"].includes(type);
  if (typeof value === "string") {
    if (type === "String" || type === "Memo") return value.toLowerCase();
    if (type === "Uniqueidentifier" || type === "Lookup" || type === "Owner") return parseEdm.guid(value);
    if (type === "DateTime") {
      const date = parseEdm.dateTime(value);
      return date === undefined ? undefined : Date.parse(date);
    }
    if (type === "MultiSelectPicklist") return multiSelectKey(value.split(",").map((item) => Number(item.trim())));
    return undefined;
  }
  if (typeof value === "number") return numeric ? value : type === "MultiSelectPicklist" ? String(value) : undefined;
  if (typeof value === "boolean") return type === "Boolean" ? value : undefined;
  if (Array.isArray(value)) return undefined;
  switch (value.kind) {
    case "Decimal":
      return numeric ? value.toNumber() : undefined;
    case "Money":
      return numeric ? value.value.toNumber() : undefined;
    case "DateTime":
      return type === "DateTime" ? value.epochMs : undefined;
    case "Guid":
      return type === "Uniqueidentifier" || type === "Lookup" || type === "Owner" ? value.value : undefined;
    case "EntityReference":
      return type === "Lookup" || type === "Owner" ? value.id.toLowerCase() : undefined;
    case "OptionSetValue":
      return numeric ? value.value : type === "MultiSelectPicklist" ? String(value.value) : undefined;
    case "OptionSetValueCollection":
      return type === "MultiSelectPicklist" ? multiSelectKey(value.values.map((choice) => choice.value)) : undefined;
    default:
      return undefined;
  }
}

function multiSelectKey(options: number[]): string {
  return [...options].sort((a, b) => a - b).join(",");
}

/** A stored value in the same comparable form as `conditionOperand`. */
export function comparableOf(column: ColumnDefinition, value: ColumnValue | null): Comparable {
  if (value === null) return null;
  if (isLookupValue(value)) return value.id.toLowerCase();
  if (Array.isArray(value)) return multiSelectKey(value);
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
