import { PipelineError } from "../../errors";
import type { TableEntity, TableEntityResult } from "@azure/data-tables";
import { dateTimeText } from "../metadata/edm";
import { findColumn, type TableDefinition } from "../metadata/tables";
import { isLookupType } from "../metadata/columns";
import { isLookupValue, type ColumnValues, type StoredRecord } from "./records";

/**
 * How a record is laid out in the records table: partition = organization, row key = `{table}|{id}`,
 * one typed property per column; a lookup with several target tables keeps its target in `{column}__target`.
 */
export function recordRowKey(table: string, id: string): string {
  return `${table}|${id}`;
}

/** Row-key range of one table's records: `|` is followed by `}` in code-point order. */
export function tableRowKeyRange(table: string): { from: string; to: string } {
  return { from: `${table}|`, to: `${table}}` };
}

const TARGET_SUFFIX = "__target";

/** Table Storage keeps at most 64 KiB (32K UTF-16 code units) in one string property. */
export const MAX_STORED_STRING_LENGTH = 32 * 1024;

/**
 * Text the platform writes itself (an error's message, a trace) cut to what `table`'s column keeps: its
 * MaxLength, within what one stored string holds. Such a write must not fail for its length (a user's
 * value is refused instead, see validate.ts); the cut never leaves half a surrogate pair.
 */
export function fitText(table: TableDefinition, columnName: string, text: string): string {
  const column = findColumn(table, columnName);
  if (!column) throw new PipelineError("Internal", `${table.logicalName} has no column ${columnName}.`);
  const limit = Math.min(column.maxLength ?? MAX_STORED_STRING_LENGTH, MAX_STORED_STRING_LENGTH);
  if (text.length <= limit) return text;
  const end = /[\uD800-\uDBFF]/.test(text[limit - 1]) ? limit - 1 : limit;
  return text.slice(0, end);
}

export type RecordEntity = TableEntity<Record<string, unknown>>;

export function encodeRecord(partitionKey: string, table: TableDefinition, id: string, values: ColumnValues): RecordEntity {
  const entity: RecordEntity = { partitionKey, rowKey: recordRowKey(table.logicalName, id) };
  for (const column of table.columns) {
    const value = values[column.logicalName];
    if (value === null || value === undefined) continue;
    const name = column.logicalName;
    if (isLookupType(column.type) && isLookupValue(value)) {
      entity[name] = value.id;
      // A single-target lookup's table is implied by its column.
      if (column.targets?.length !== 1) entity[name + TARGET_SUFFIX] = value.logicalName;
    } else if (column.type === "MultiSelectPicklist" && Array.isArray(value)) {
      entity[name] = value.join(",");
    } else if (column.type === "BigInt") {
      entity[name] = { value: String(value), type: "Int64" };
    } else if (column.type === "Double") {
      entity[name] = { value: String(value), type: "Double" };
    } else if (column.type === "DateTime") {
      entity[name] = { value: String(value), type: "DateTime" };
    } else {
      if (typeof value === "string" && value.length > MAX_STORED_STRING_LENGTH) {
        throw new PipelineError("ValidationFailed", `The value of '${name}' is longer than this store keeps (${MAX_STORED_STRING_LENGTH} characters).`, { path: name });
      }
      entity[name] = value;
    }
  }
  return entity;
}

export function decodeRecord(table: TableDefinition, entity: TableEntityResult<Record<string, unknown>>): StoredRecord {
  const rowKey = entity.rowKey ?? "";
  const id = rowKey.slice(rowKey.indexOf("|") + 1);
  const values: ColumnValues = {};
  for (const column of table.columns) {
    const raw = entity[column.logicalName];
    if (raw === undefined || raw === null) {
      values[column.logicalName] = null;
      continue;
    }
    if (isLookupType(column.type)) {
      const target = entity[column.logicalName + TARGET_SUFFIX];
      values[column.logicalName] = { id: String(raw), logicalName: String(target ?? column.targets?.[0] ?? "") };
    } else if (column.type === "MultiSelectPicklist") {
      values[column.logicalName] = String(raw).split(",").filter(Boolean).map(Number);
    } else if (column.type === "BigInt" || column.type === "Double") {
      values[column.logicalName] = Number(typeof raw === "object" ? (raw as { value: string }).value : raw);
    } else if (column.type === "DateTime") {
      values[column.logicalName] = raw instanceof Date ? dateTimeText(raw) : String(raw);
    } else {
      values[column.logicalName] = raw as string | number | boolean;
    }
  }
  values[table.primaryIdAttribute] = id;
  return { table: table.logicalName, id, values, etag: entity.etag, writtenOn: entity.timestamp };
}
