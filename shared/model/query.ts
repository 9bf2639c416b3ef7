import type { Extensible, JsonNode } from "./json-node";
import type { Value } from "./values";

/**
 * QueryExpression and its parts, read and written faithfully; members this model does not name are kept in
 * `unknownMembers` and written back where they were. The data service runs RetrieveMultiple from a
 * QueryExpression (shared/dataservice/query/query-expression.ts).
 */
export const LogicalOperator = { And: 0, Or: 1 } as const;
export type LogicalOperator = (typeof LogicalOperator)[keyof typeof LogicalOperator];

export const OrderType = { Ascending: 0, Descending: 1 } as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

export const JoinOperator = { Inner: 0, LeftOuter: 1, Natural: 2 } as const;
export type JoinOperator = (typeof JoinOperator)[keyof typeof JoinOperator];

/** ConditionOperator values (numbers on the JSON wire, names in XML). */
export const CONDITION_OPERATORS = [
  "Equal", "NotEqual", "GreaterThan", "LessThan", "GreaterEqual", "LessEqual", "Like", "NotLike", "In", "NotIn",
  "Between", "NotBetween", "Null", "NotNull", "Yesterday", "Today", "Tomorrow", "Last7Days", "Next7Days",
  "LastWeek", "ThisWeek", "NextWeek", "LastMonth", "ThisMonth", "NextMonth", "On", "OnOrBefore", "OnOrAfter",
  "LastYear", "ThisYear", "NextYear", "LastXHours", "NextXHours", "LastXDays", "NextXDays", "LastXWeeks",
  "NextXWeeks", "LastXMonths", "NextXMonths", "LastXYears", "NextXYears", "EqualUserId", "NotEqualUserId",
  "EqualBusinessId", "NotEqualBusinessId", "ChildOf", "Mask", "NotMask", "MasksSelect", "Contains",
  "DoesNotContain", "EqualUserLanguage", "NotOn", "OlderThanXMonths", "BeginsWith", "DoesNotBeginWith",
  "EndsWith", "DoesNotEndWith",
] as const;
export type ConditionOperator = number;

/** Has `kind` because Retrieve's InputParameters carry one on its own (`ColumnSet`), as an object-typed value. */
export interface ColumnSet extends Extensible {
  readonly kind: "ColumnSet";
  allColumns: boolean;
  /** XrmAttributeExpression items, not interpreted. */
  attributeExpressions: JsonNode[];
  columns: string[];
}

export interface ConditionExpression extends Extensible {
  attributeName: string;
  compareColumns: boolean;
  operator: ConditionOperator;
  values: Value[];
  entityName: string | null;
}

export interface FilterExpression extends Extensible {
  conditions: ConditionExpression[];
  filterOperator: LogicalOperator;
  filters: FilterExpression[];
}

export interface OrderExpression extends Extensible {
  alias: string | null;
  attributeName: string;
  orderType: OrderType;
}

export interface PagingInfo extends Extensible {
  count: number;
  pageNumber: number;
  pagingCookie: string | null;
  returnTotalRecordCount: boolean;
}

export interface LinkEntity extends Extensible {
  columns: ColumnSet;
  entityAlias: string | null;
  joinOperator: JoinOperator;
  linkCriteria: FilterExpression;
  linkEntities: LinkEntity[];
  linkFromAttributeName: string;
  linkFromEntityName: string;
  linkToAttributeName: string;
  linkToEntityName: string;
  orders: OrderExpression[];
}

export interface QueryExpression extends Extensible {
  readonly kind: "QueryExpression";
  columnSet: ColumnSet;
  criteria: FilterExpression;
  distinct: boolean;
  entityName: string;
  linkEntities: LinkEntity[];
  orders: OrderExpression[];
  pageInfo: PagingInfo;
  noLock: boolean;
  queryHints: string | null;
  /** Newer member; written only when set. */
  topCount?: number | null;
}

export function columnSet(...columns: string[]): ColumnSet {
  return { kind: "ColumnSet", allColumns: false, attributeExpressions: [], columns };
}

export function allColumns(): ColumnSet {
  return { kind: "ColumnSet", allColumns: true, attributeExpressions: [], columns: [] };
}

export function filterExpression(filterOperator: LogicalOperator = LogicalOperator.And, conditions: ConditionExpression[] = []): FilterExpression {
  return { conditions, filterOperator, filters: [] };
}

export function condition(attributeName: string, operator: ConditionOperator, ...values: Value[]): ConditionExpression {
  return { attributeName, compareColumns: false, operator, values, entityName: null };
}

export function pagingInfo(init: Partial<PagingInfo> = {}): PagingInfo {
  return { count: 0, pageNumber: 0, pagingCookie: null, returnTotalRecordCount: false, ...init };
}

/** `queryExpression("account", { columnSet: columnSet("name"), criteria: filterExpression(0, [condition("name", 0, "x")]) })` */
export function queryExpression(entityName: string, init: Partial<Omit<QueryExpression, "kind" | "entityName">> = {}): QueryExpression {
  return {
    kind: "QueryExpression",
    columnSet: columnSet(),
    criteria: filterExpression(),
    distinct: false,
    entityName,
    linkEntities: [],
    orders: [],
    pageInfo: pagingInfo(),
    noLock: false,
    queryHints: "",
    ...init,
  };
}
