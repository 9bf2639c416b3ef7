import { defaultParser, type Token } from "@odata/parser";
import { OrderType, allColumns, columnSet, queryExpression, type ColumnSet, type OrderExpression, type QueryExpression } from "../../model";
import type { ColumnDefinition } from "../metadata/columns";
import type { TableDefinition } from "../metadata/tables";
import { resolveColumnReference } from "../metadata/validate";
import type { StoredRecord } from "../store/records";
import { queryError } from "./conditions";
import { filterExpressionOf, parseFilter } from "./filter";

export type QueryOptions = Partial<Record<"$select" | "$filter" | "$orderby" | "$top" | "$count", string>>;

const SUPPORTED = new Set(["$select", "$filter", "$orderby", "$top", "$count", "$skiptoken"]);

export interface ParsedQuery {
  query: QueryExpression;
  /** The columns `$select` names, in its order (what the answer shows); undefined without `$select`. */
  select?: ColumnDefinition[];
}

/**
 * The query of a RetrieveMultiple as the QueryExpression Dataverse's Web API makes of it (what plug-ins see
 * as the Query input parameter, and what runs): $select → ColumnSet, $filter → Criteria, $orderby → Orders,
 * $top → TopCount, $count → PageInfo.ReturnTotalRecordCount. Any other parameter (Dataverse's `fetchXml`,
 * `savedQuery`, `userQuery`, `$expand`…) is refused rather than ignored, so a caller never takes unfiltered
 * rows for its query's answer.
 */
export function parseQuery(table: TableDefinition, options: QueryOptions & Record<string, string | undefined>): ParsedQuery {
  for (const name of Object.keys(options)) {
    if (!SUPPORTED.has(name)) throw queryError(`The query parameter ${name} is not supported. Supported: ${[...SUPPORTED].join(", ")}.`);
  }
  const select = options.$select === undefined ? undefined : parseSelect(table, options.$select);
  const query = queryExpression(table.logicalName, {
    columnSet: columnSetOf(select),
    orders: options.$orderby === undefined ? [] : parseOrderBy(table, options.$orderby),
  });
  if (options.$filter !== undefined) query.criteria = filterExpressionOf(table, parseFilter(options.$filter));
  if (options.$top !== undefined) query.topCount = parseTop(options.$top);
  if (options.$count !== undefined) query.pageInfo.returnTotalRecordCount = parseCount(options.$count);
  return { query, select };
}

/** The ColumnSet of a parsed `$select`: its columns, or all columns without one. */
export function columnSetOf(select: ColumnDefinition[] | undefined): ColumnSet {
  return select ? columnSet(...select.map((column) => column.logicalName)) : allColumns();
}

function parseCount(text: string): boolean {
  if (text !== "true" && text !== "false") throw queryError(`'${text}' is not a valid count option: $count is true or false.`);
  return text === "true";
}

/** `$select` alone (Retrieve takes no other option). */
export function parseSelect(table: TableDefinition, text: string): ColumnDefinition[] {
  const items = parseOption("$select", text).value.items as Token[];
  return items.map((item) => resolveColumnReference(table, String(item.raw)));
}

function parseOrderBy(table: TableDefinition, text: string): OrderExpression[] {
  const items = parseOption("$orderby", text).value.items as Token[];
  return items.map((item) => ({
    alias: null,
    attributeName: resolveColumnReference(table, String(item.value.expr.raw)).logicalName,
    orderType: item.value.direction === -1 ? OrderType.Descending : OrderType.Ascending,
  }));
}

function parseTop(text: string): number {
  const top = Number(text);
  if (!Number.isInteger(top) || top < 0) throw queryError(`The value '${text}' of $top is not a non-negative integer.`);
  return top;
}

function parseOption(name: string, text: string): Token {
  try {
    const parsed = defaultParser.query(`${name}=${text}`);
    return parsed.value.options[0];
  } catch (error) {
    throw queryError(`The query parameter ${name} is invalid: ${(error as Error).message}.`);
  }
}

/** Where the next page starts: an offset into an ordered result, or after the last id of a scan. */
export type PageToken = { offset: number } | { after: string; taken: number };

export interface PageRequest {
  size: number;
  token?: PageToken;
}

export interface Page {
  records: StoredRecord[];
  /** `$count`: all matching rows, regardless of $top and paging. */
  total?: number;
  next?: PageToken;
}

/**
 * Shows in the query's PageInfo the page a request asks for (Count: its size; PageNumber: which, from 1), as
 * Dataverse's Web API fills it; with TopCount it stays empty, as there. Paging itself follows the request
 * (odata.maxpagesize, $skiptoken): a plug-in's change of Count or PageNumber does not move it.
 */
export function showPage(query: QueryExpression, page: PageRequest): QueryExpression {
  if (query.topCount !== undefined && query.topCount !== null) return query;
  const first = page.token === undefined ? 0 : "offset" in page.token ? page.token.offset : page.token.taken;
  query.pageInfo.count = page.size;
  query.pageInfo.pageNumber = Math.floor(first / Math.max(page.size, 1)) + 1;
  return query;
}
