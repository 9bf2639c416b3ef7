import { OrderType, type ColumnSet, type QueryExpression } from "../../model";
import type { ColumnDefinition } from "../metadata/columns";
import type { TableDefinition } from "../metadata/tables";
import type { StoredRecord } from "../store/records";
import { compare, compileCriteria, comparableOf, queryColumn, queryError, type RecordPredicate } from "./conditions";
import { storageFilterOf } from "./storage-filter";

/**
 * A QueryExpression compiled against its table: what the data service executes. Every RetrieveMultiple
 * runs from a QueryExpression (the Web API's OData query is translated to one, and a plug-in may change
 * it in stages 10 and 20), so there is one executor.
 */
export interface CompiledQuery {
  /** Columns to return; undefined = all readable columns (AllColumns). */
  columns?: ColumnDefinition[];
  filter?: RecordPredicate;
  /** The part of the criteria storage applies itself (see storage-filter.ts). */
  storageFilter?: string;
  orderBy: { column: ColumnDefinition; descending: boolean }[];
  top?: number;
  /** PageInfo.ReturnTotalRecordCount (`$count`): the page carries the number of all matching rows. */
  count: boolean;
}

/**
 * Checks and compiles a QueryExpression. What this service cannot run is refused with a 400 rather than
 * ignored (a plug-in must not take unfiltered rows for its query's answer): LinkEntities, XrmAttributeExpressions,
 * conditions that compare columns or name a linked table, aliased orders, and condition operators other
 * than the comparisons, In/NotIn, Between, Null/NotNull, Like and Begins/EndsWith families. Distinct,
 * NoLock and QueryHints change nothing on one table whose rows always carry their key.
 */
export function compileQuery(table: TableDefinition, query: QueryExpression): CompiledQuery {
  if (query.entityName !== table.logicalName) throw queryError(`The query's EntityName '${query.entityName}' is not '${table.logicalName}', the table this RetrieveMultiple reads.`);
  if (query.linkEntities.length > 0) throw queryError("LinkEntities are not supported by this service.");
  const top = query.topCount ?? undefined;
  if (top !== undefined && (!Number.isInteger(top) || top < 0)) throw queryError(`TopCount ${String(top)} is not a non-negative integer.`);
  return {
    columns: columnsOf(table, query.columnSet),
    filter: compileCriteria(table, query.criteria),
    storageFilter: storageFilterOf(table, query.criteria),
    orderBy: query.orders.map((order) => {
      if (order.alias) throw queryError(`The order on '${order.attributeName}' has an alias: aggregate queries are not supported.`);
      return { column: queryColumn(table, order.attributeName), descending: order.orderType === OrderType.Descending };
    }),
    top,
    count: query.pageInfo.returnTotalRecordCount,
  };
}

/** The columns a ColumnSet names; undefined for AllColumns. */
export function columnsOf(table: TableDefinition, columnSet: ColumnSet): ColumnDefinition[] | undefined {
  if (columnSet.attributeExpressions.length > 0) throw queryError("ColumnSet AttributeExpressions are not supported by this service.");
  return columnSet.allColumns ? undefined : columnSet.columns.map((name) => queryColumn(table, name));
}

/** A row with the columns asked for (null where unset) and its key; for AllColumns the row as read (rows are read with every column). */
export function projectRecord(table: TableDefinition, record: StoredRecord, columns: ColumnDefinition[] | undefined): StoredRecord {
  if (!columns) return record;
  const names = [table.primaryIdAttribute, ...columns.map((column) => column.logicalName)];
  return { ...record, values: Object.fromEntries(names.map((name) => [name, record.values[name] ?? null])) };
}

/** Filters and orders the records; TopCount applies before paging. Nulls sort first ascending. */
export function runQuery(query: CompiledQuery, records: StoredRecord[]): StoredRecord[] {
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
