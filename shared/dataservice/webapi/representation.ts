import { isLookupType, type ColumnDefinition } from "../metadata/columns";
import type { TableDefinition } from "../metadata/tables";
import { navigationPropertyName, webApiPropertyName } from "../metadata/validate";
import { isLookupValue, type ColumnValue, type LookupValue, type StoredRecord } from "../store/records";
import { formatValue } from "../formatted-values";
import type { AnnotationFilter } from "./preferences";

export const ANNOTATIONS = {
  formattedValue: "OData.Community.Display.V1.FormattedValue",
  lookupLogicalName: "Microsoft.Dynamics.CRM.lookuplogicalname",
  associatedNavigationProperty: "Microsoft.Dynamics.CRM.associatednavigationproperty",
  totalRecordCount: "Microsoft.Dynamics.CRM.totalrecordcount",
  totalRecordCountLimitExceeded: "Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded",
} as const;

export interface RepresentationOptions {
  select?: ColumnDefinition[];
  /** The annotations to add (`Prefer: odata.include-annotations`): formatted values, lookups' table and navigation property. */
  annotations?: AnnotationFilter;
  /** Primary names of looked-up rows by id, for the lookups' formatted values. */
  lookupNames?: Map<string, string>;
}

/** The readable columns a representation shows: the `$select`ed ones, or all; never write-only secrets. */
export function visibleColumns(table: TableDefinition, select?: ColumnDefinition[]): ColumnDefinition[] {
  const columns = select ?? table.columns;
  return columns.filter((column) => !column.writeOnly);
}

/** The lookups among the visible columns of some records (whose names the annotations need). */
export function lookupsOf(table: TableDefinition, records: StoredRecord[], select?: ColumnDefinition[]): LookupValue[] {
  const lookups = visibleColumns(table, select).filter((column) => isLookupType(column.type));
  return records.flatMap((record) => lookups.map((column) => record.values[column.logicalName]).filter(isLookupValue));
}

/** A record in the Web API's JSON shape: `@odata.etag`, lookups as `_name_value`, optional annotations. */
export function toWebApiEntity(table: TableDefinition, record: StoredRecord, options: RepresentationOptions): Record<string, unknown> {
  const entity: Record<string, unknown> = { "@odata.etag": record.etag };
  for (const column of visibleColumns(table, options.select)) {
    // A row read with a ColumnSet (which a plug-in may have changed) carries only its columns.
    if (!(column.logicalName in record.values)) continue;
    const value = record.values[column.logicalName] ?? null;
    const property = webApiPropertyName(column);
    entity[property] = toJsonValue(column, value);
    if (!options.annotations || value === null) continue;
    const annotate = (term: string, annotation: string | undefined) => {
      if (annotation !== undefined && options.annotations?.includes(term)) entity[`${property}@${term}`] = annotation;
    };
    if (isLookupValue(value)) {
      annotate(ANNOTATIONS.formattedValue, options.lookupNames?.get(value.id));
      annotate(ANNOTATIONS.associatedNavigationProperty, navigationPropertyName(column, value.logicalName));
      annotate(ANNOTATIONS.lookupLogicalName, value.logicalName);
    } else {
      annotate(ANNOTATIONS.formattedValue, formatValue(column, value));
    }
  }
  // The primary key is always returned, as in Dataverse.
  entity[table.primaryIdAttribute] = record.id;
  return entity;
}

function toJsonValue(column: ColumnDefinition, value: ColumnValue | null): unknown {
  if (value === null) return null;
  if (isLookupValue(value)) return value.id;
  if (Array.isArray(value)) return value.join(",");
  if (column.type === "Decimal" || column.type === "Money") return Number(value);
  return value;
}
