/** A lookup value as stored: the id of the row it points at and that row's table. */
export interface LookupValue {
  id: string;
  logicalName: string;
}

/**
 * A column value as the store keeps it, by column type: String/Memo/DateTime (ISO 8601 UTC)/
 * Uniqueidentifier → string; Decimal/Money → decimal text with its scale kept; Integer/BigInt/Double/
 * Picklist/State/Status → number; Boolean → boolean; Lookup/Owner → LookupValue;
 * MultiSelectPicklist → number[]. Absent columns are null.
 */
export type ColumnValue = string | number | boolean | LookupValue | number[];

export type ColumnValues = Record<string, ColumnValue | null>;

/** One row of a table as read from the store. */
export interface StoredRecord {
  table: string;
  id: string;
  values: ColumnValues;
  /** The storage ETag: the row version the Web API returns as `@odata.etag`. */
  etag: string;
  /** When storage last wrote the row (its Timestamp: storage's clock, to the millisecond, unlike `modifiedon`). */
  writtenOn?: string;
  /**
   * On the record a create or update returns: the columns that write set, the caller's and the service's
   * own (system columns, defaults, derived columns), in the order they were set.
   */
  setColumns?: readonly string[];
}

export function isLookupValue(value: unknown): value is LookupValue {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "id" in value && "logicalName" in value;
}
