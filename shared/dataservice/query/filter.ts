import { defaultParser, type Token } from "@odata/parser";
import { DateTimeValue, Decimal, GuidValue, LogicalOperator, condition, filterExpression, type ConditionExpression, type FilterExpression, type Value } from "../../model";
import type { ColumnDefinition } from "../metadata/columns";
import { EDM_TYPE, parseEdm } from "../metadata/edm";
import type { TableDefinition } from "../metadata/tables";
import { resolveColumnReference } from "../metadata/validate";
import { Operator, escapeLike, queryError } from "./conditions";


/** Parses `$filter` with @odata/parser. */
export function parseFilter(text: string): Token {
  try {
    return defaultParser.filter(text);
  } catch (error) {
    throw queryError(`The query parameter $filter is invalid: ${(error as Error).message}.`);
  }
}

/** OData comparisons and their ConditionOperator, and the operator of their negation (`not`). */
const COMPARISONS: Record<string, { operator: number; negated: number }> = {
  EqualsExpression: { operator: Operator.Equal, negated: Operator.NotEqual },
  NotEqualsExpression: { operator: Operator.NotEqual, negated: Operator.Equal },
  LesserThanExpression: { operator: Operator.LessThan, negated: Operator.GreaterEqual },
  LesserOrEqualsExpression: { operator: Operator.LessEqual, negated: Operator.GreaterThan },
  GreaterThanExpression: { operator: Operator.GreaterThan, negated: Operator.LessEqual },
  GreaterOrEqualsExpression: { operator: Operator.GreaterEqual, negated: Operator.LessThan },
};

/** The Like pattern of each OData string function. */
const STRING_FUNCTIONS: Record<string, (text: string) => string> = {
  contains: (text) => `%${escapeLike(text)}%`,
  startswith: (text) => `${escapeLike(text)}%`,
  endswith: (text) => `%${escapeLike(text)}`,
};

/**
 * A parsed `$filter` as a QueryExpression's Criteria, as Dataverse's Web API translates it: comparisons
 * become conditions (`eq null` → Null), string functions Like, and/or nest as filters. QueryExpression has
 * no Not: `not` is pushed down to the conditions (De Morgan; eq ↔ ne, lt ↔ ge, Like ↔ NotLike), which under
 * three-valued logic keeps its meaning exactly.
 */
export function filterExpressionOf(table: TableDefinition, tree: Token): FilterExpression {
  const part = partOf(table, tree, false);
  return "attributeName" in part ? filterExpression(LogicalOperator.And, [part]) : part;
}

function partOf(table: TableDefinition, node: Token, negated: boolean): ConditionExpression | FilterExpression {
  switch (node.type) {
    case "AndExpression":
    case "OrExpression": {
      const isAnd = (node.type === "AndExpression") !== negated;
      const operator = isAnd ? LogicalOperator.And : LogicalOperator.Or;
      const filter = filterExpression(operator);
      for (const side of [node.value.left, node.value.right] as Token[]) {
        const part = partOf(table, side, negated);
        if ("attributeName" in part) filter.conditions.push(part);
        // `a and (b and c)` is one And filter, as Dataverse builds it.
        else if (part.filterOperator === operator) {
          filter.conditions.push(...part.conditions);
          filter.filters.push(...part.filters);
        } else filter.filters.push(part);
      }
      return filter;
    }
    case "NotExpression": {
      const operand = node.value as Token;
      // @odata/parser lets `not` take all that follows (`not a or b` → not (a or b)); in OData `not` binds tighter than and/or.
      if (operand.type === "AndExpression" || operand.type === "OrExpression") return partOf(table, negateLeftmost(operand), negated);
      return partOf(table, operand, !negated);
    }
    case "BoolParenExpression":
    case "ParenExpression":
    case "CommonExpression":
      return partOf(table, node.value, negated);
    case "MethodCallExpression":
      return methodCondition(table, node, negated);
    default: {
      const comparison = COMPARISONS[node.type];
      if (!comparison) throw queryError(`The $filter expression '${node.raw}' is not supported.`);
      return comparisonCondition(table, node, negated ? comparison.negated : comparison.operator);
    }
  }
}

/** `a op b …` with `not` on its leftmost operand: what `not a op b …` means. */
function negateLeftmost(node: Token): Token {
  if (node.type !== "AndExpression" && node.type !== "OrExpression") return { ...node, type: "NotExpression", value: node, raw: `not ${String(node.raw)}` } as Token;
  return { ...node, value: { ...node.value, left: negateLeftmost(node.value.left as Token) } } as Token;
}

function comparisonCondition(table: TableDefinition, node: Token, operator: number): ConditionExpression {
  const column = memberColumn(table, node.value.left);
  const value = literalValue(column, node.value.right as Token);
  if (value !== null) return condition(column.logicalName, operator, value);
  if (operator !== Operator.Equal && operator !== Operator.NotEqual) throw queryError(`null can only be compared with eq or ne ('${node.raw}').`);
  return condition(column.logicalName, operator === Operator.Equal ? Operator.Null : Operator.NotNull);
}

function methodCondition(table: TableDefinition, node: Token, negated: boolean): ConditionExpression {
  const method = String(node.value.method).toLowerCase();
  const pattern = STRING_FUNCTIONS[method];
  const [member, argument] = node.value.parameters as Token[];
  if (!pattern || !member || !argument) throw queryError(`The $filter function '${node.raw}' is not supported.`);
  const column = memberColumn(table, member);
  if (column.type !== "String" && column.type !== "Memo") throw queryError(`${method} applies to text columns only ('${column.logicalName}').`);
  const text = literalValue(column, argument);
  if (typeof text !== "string") throw queryError(`${method} needs a text argument ('${node.raw}').`);
  return condition(column.logicalName, negated ? Operator.NotLike : Operator.Like, pattern(text));
}

function memberColumn(table: TableDefinition, node: Token): ColumnDefinition {
  if (node?.type !== "FirstMemberExpression" || String(node.raw).includes("/")) {
    throw queryError(`Expected a column name in $filter, found '${node?.raw}'.`);
  }
  return resolveColumnReference(table, String(node.raw));
}

/** An OData literal as the SDK value a condition on the column carries (text, number, Decimal, Guid, DateTime). */
function literalValue(column: ColumnDefinition, node: Token): Value {
  if (node?.type !== "Literal") throw queryError(`Expected a literal value, found '${node?.raw}'.`);
  const raw = String(node.raw);
  if (node.value === "null") return null;
  const mismatch = () => queryError(`Cannot convert the literal '${raw}' to the expected type '${EDM_TYPE[column.type]}' of '${column.logicalName}'.`);
  const text = node.value === "Edm.String" ? raw.slice(1, -1).replace(/''/g, "'") : raw;
  switch (column.type) {
    case "String":
    case "Memo":
      if (node.value !== "Edm.String") throw mismatch();
      return text;
    case "Boolean":
      if (node.value !== "Edm.Boolean") throw mismatch();
      return raw === "true";
    case "DateTime": {
      const date = parseEdm.dateTime(text);
      if (date === undefined) throw mismatch();
      return new DateTimeValue(Date.parse(date));
    }
    case "Uniqueidentifier":
    case "Lookup":
    case "Owner": {
      const guid = parseEdm.guid(text);
      if (guid === undefined) throw mismatch();
      return new GuidValue(guid);
    }
    case "MultiSelectPicklist":
      return text;
    default: {
      if (node.value === "Edm.String" || node.value === "Edm.Boolean" || node.value === "Edm.Guid") throw mismatch();
      const number = Number(text);
      if (!Number.isFinite(number)) throw mismatch();
      return (column.type === "Decimal" || column.type === "Money") && parseEdm.decimal(text) ? new Decimal(text) : number;
    }
  }
}
