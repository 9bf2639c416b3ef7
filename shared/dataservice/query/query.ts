import { defaultParser, type Token } from "@odata/parser";
import type { ColumnDefinition } from "../metadata/columns";
import type { TableDefinition } from "../metadata/tables";
import { resolveColumnReference } from "../metadata/validate";
import type { StoredRecord } from "../store/records";
import { comparableOf, compare, compileFilter, parseFilter, queryError, type RecordPredicate } from "./filter";
import { storageFilterOf } from "./storage-filter";

/** A RetrieveMultiple query over one table, parsed from the OData system query options. */
export interface RecordQuery {
  /** Columns to return; undefined = all readable columns. */
  select?: ColumnDefinition[];
  filter?: RecordPredicate;
  /** The part of the filter storage applies itself (see storage-filter.ts). */
  storageFilter?: string;
  orderBy: { column: ColumnDefinition; descending: boolean }[];
  top?: number;
  count: boolean;
}

export type QueryOptions = Partial<Record<"$select" | "$filter" | "$orderby" | "$top" | "$count", string>>;

const SUPPORTED = new Set(["$select", "$filter", "$orderby", "$top", "$count", "$skiptoken"]);

/**
 * The query of a RetrieveMultiple. Any other parameter (Dataverse's `fetchXml`, `savedQuery`, `userQuery`,
 * `$expand`…) is refused rather than ignored, so a caller never takes unfiltered rows for its query's answer.
 */
export function parseQuery(table: TableDefinition, options: QueryOptions & Record<string, string | undefined>): RecordQuery {
  for (const name of Object.keys(options)) {
    if (!SUPPORTED.has(name)) throw queryError(`The query parameter ${name} is not supported. Supported: ${[...SUPPORTED].join(", ")}.`);
  }
  const filterTree = options.$filter === undefined ? undefined : parseFilter(options.$filter);
  return {
    select: options.$select === undefined ? undefined : parseSelect(table, options.$select),
    filter: filterTree && compileFilter(table, filterTree),
    storageFilter: filterTree && storageFilterOf(table, filterTree),
    orderBy: options.$orderby === undefined ? [] : parseOrderBy(table, options.$orderby),
    top: options.$top === undefined ? undefined : parseTop(options.$top),
    count: options.$count === undefined ? false : parseCount(options.$count),
  };
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

function parseOrderBy(table: TableDefinition, text: string): RecordQuery["orderBy"] {
  const items = parseOption("$orderby", text).value.items as Token[];
  return items.map((item) => ({ column: resolveColumnReference(table, String(item.value.expr.raw)), descending: item.value.direction === -1 }));
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

/** Filters and orders the records; `$top` applies before paging as in OData. Nulls sort first ascending. */
export function runQuery(query: RecordQuery, records: StoredRecord[]): StoredRecord[] {
  const kept = query.filter ? records.filter(query.filter) : [...records];
  if (query.orderBy.length > 0) {
    kept.sort((a, b) => {
      for (const { column, descending } of query.orderBy) {
        const left = comparableOf(column, a.values[column.logicalName] ?? null);
        const right = comparableOf(column, b.values[column.logicalName] ?? null);
        const order = left === right ? 0 : left === null ? -1 : right === null ? 1 : compare(left, right);
        if (order !== 0) return descending ? -order : order;
      }
      return 0;
    });
  }
  return query.top === undefined ? kept : kept.slice(0, query.top);
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
