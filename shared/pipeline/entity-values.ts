import { entityToValues, findColumn, recordToEntity, toSdkValue, type ColumnValues, type TableDefinition } from "../dataservice";
import { EMPTY_GUID, type Entity, type Value } from "../model";

/** Web API input as the SDK Entity plug-ins see (a column set to null stays, as null). */
export function valuesToEntity(table: TableDefinition, values: ColumnValues, id: string | undefined): Entity {
  const primaryId = values[table.primaryIdAttribute];
  const entity = recordToEntity(table, { table: table.logicalName, id: id ?? (typeof primaryId === "string" ? primaryId : EMPTY_GUID), values, etag: "" });
  for (const [name, value] of Object.entries(values)) if (value === null) entity.attributes.set(name, null);
  return entity;
}

/** A row's id as the value of its key column in an Entity (the same conversion as every other column). */
export function keyValue(table: TableDefinition, id: string): Value {
  const key = findColumn(table, table.primaryIdAttribute);
  return key ? toSdkValue(key, id) : id;
}

/**
 * The write-only columns (secrets) among Web API input. Target never carries them (plug-ins do not see
 * secrets), so a Create or Update writes them from the request itself: a step that changes or replaces
 * Target cannot drop them.
 */
export function writeOnlyValues(table: TableDefinition, values: ColumnValues | undefined): ColumnValues {
  if (!values) return {};
  return Object.fromEntries(table.columns.filter((column) => column.writeOnly && column.logicalName in values).map((column) => [column.logicalName, values[column.logicalName]]));
}

/**
 * An entity a step returned, as the record values the Web API represents; write-only columns kept from
 * `stored`. `stored` read with a ColumnSet (only its columns): the answer has those and the ones the step set.
 */
export function entityToRecordValues(table: TableDefinition, entity: Entity, stored: ColumnValues): ColumnValues {
  const read = Object.keys(stored).length > 0 ? table.columns.filter((column) => column.logicalName in stored) : table.columns;
  const values: ColumnValues = Object.fromEntries(read.map((column) => [column.logicalName, column.writeOnly ? (stored[column.logicalName] ?? null) : null]));
  return { ...values, ...entityToValues(table, entity) };
}
