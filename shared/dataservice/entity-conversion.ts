import { PipelineError } from "../errors";
import {
  DateTimeValue,
  Decimal,
  DoubleValue,
  Entity,
  EntityReference,
  GuidValue,
  Int64Value,
  Money,
  OptionSetValue,
  OptionSetValueCollection,
  type Value,
} from "../model";
import type { ColumnDefinition } from "./metadata/columns";
import { EDM_TYPE, parseEdm } from "./metadata/edm";
import type { TableDefinition } from "./metadata/tables";
import { unknownPropertyError, validateColumnValue } from "./metadata/validate";
import { isLookupValue, type ColumnValue, type ColumnValues, type StoredRecord } from "./store/records";

/**
 * Records as SDK Entities and back, for the pipeline (plug-ins see Target, images and RetrieveMultiple
 * results as Entity; their changes come back as Entity). Absent (null) columns are left out.
 */
export function recordToEntity(table: TableDefinition, record: StoredRecord, lookupNames: Map<string, string> = new Map()): Entity {
  const entity = new Entity(table.logicalName, record.id);
  for (const column of table.columns) {
    const value = record.values[column.logicalName];
    if (value === null || value === undefined || column.writeOnly) continue;
    entity.attributes.set(column.logicalName, toSdkValue(column, value, lookupNames));
  }
  return entity;
}

/** One stored column value as the SDK value plug-ins see (a lookup with its name when `lookupNames` has it). */
export function toSdkValue(column: ColumnDefinition, value: ColumnValue, lookupNames: Map<string, string> = new Map()): Value {
  if (isLookupValue(value)) return new EntityReference(value.logicalName, value.id, lookupNames.get(value.id) ?? null);
  switch (column.type) {
    case "Decimal":
      return new Decimal(String(value));
    case "Money":
      return new Money(new Decimal(String(value)));
    case "DateTime":
      return new DateTimeValue(Date.parse(String(value)));
    case "Uniqueidentifier":
      return new GuidValue(String(value));
    case "BigInt":
      return new Int64Value(value as number);
    case "Double":
      return new DoubleValue(value as number);
    case "Picklist":
    case "State":
    case "Status":
      return new OptionSetValue(Number(value));
    case "MultiSelectPicklist":
      return new OptionSetValueCollection((value as number[]).map((option) => new OptionSetValue(option)));
    default:
      return value as Value;
  }
}

/** An Entity's attributes as typed column values, validated like a Web API body (400 naming the column). */
export function entityToValues(table: TableDefinition, entity: Entity): ColumnValues {
  const values: ColumnValues = {};
  for (const [name, value] of entity.attributes) {
    const column = table.columns.find((candidate) => candidate.logicalName === name);
    if (!column) throw unknownPropertyError(table, name);
    if (value === null) {
      values[name] = null;
      continue;
    }
    const converted = fromSdkValue(column, value);
    if (converted === undefined) {
      throw new PipelineError("InvalidFormat", `The value of '${name}' is not of the column's type (${EDM_TYPE[column.type]}).`, { path: name });
    }
    validateColumnValue(table, column, converted);
    values[name] = converted;
  }
  return values;
}

function fromSdkValue(column: ColumnDefinition, value: Value): ColumnValue | undefined {
  switch (column.type) {
    case "String":
    case "Memo":
      return typeof value === "string" ? value : undefined;
    case "Integer":
      return Number.isSafeInteger(value) ? (value as number) : undefined;
    case "BigInt":
      return value instanceof Int64Value ? value.value : Number.isSafeInteger(value) ? (value as number) : undefined;
    case "Double":
      return value instanceof DoubleValue ? value.value : typeof value === "number" ? value : undefined;
    case "Boolean":
      return typeof value === "boolean" ? value : undefined;
    case "Decimal":
      return value instanceof Decimal ? value.text : typeof value === "number" ? String(value) : undefined;
    case "Money":
      return value instanceof Money ? value.value.text : undefined;
    case "DateTime":
      return value instanceof DateTimeValue ? parseEdm.dateTime(value.toDate().toISOString()) : undefined;
    case "Uniqueidentifier":
      return value instanceof GuidValue ? value.value : typeof value === "string" ? parseEdm.guid(value) : undefined;
    case "Lookup":
    case "Owner":
      return value instanceof EntityReference ? { id: value.id, logicalName: value.logicalName } : undefined;
    case "Picklist":
    case "State":
    case "Status":
      return value instanceof OptionSetValue ? value.value : undefined;
    case "MultiSelectPicklist":
      return value instanceof OptionSetValueCollection ? value.values.map((option) => option.value) : undefined;
    default:
      return undefined;
  }
}
