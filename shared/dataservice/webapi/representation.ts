import { isLookupType, type ColumnDefinition } from "../metadata/columns";
import type { TableDefinition } from "../metadata/tables";
import { webApiPropertyName } from "../metadata/validate";
import { isLookupValue, type ColumnValue, type LookupValue, type StoredRecord } from "../store/records";

export const ANNOTATIONS = {
  formattedValue: "OData.Community.Display.V1.FormattedValue",
  lookupLogicalName: "Microsoft.Dynamics.CRM.lookuplogicalname",
  associatedNavigationProperty: "Microsoft.Dynamics.CRM.associatednavigationproperty",
} as const;

export interface RepresentationOptions {
  select?: ColumnDefinition[];
  /** Add formatted values and lookup annotations (`Prefer: odata.include-annotations="*"`). */
  annotations: boolean;
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
    if (isLookupValue(value)) {
      const name = options.lookupNames?.get(value.id);
      if (name !== undefined) entity[`${property}@${ANNOTATIONS.formattedValue}`] = name;
      entity[`${property}@${ANNOTATIONS.associatedNavigationProperty}`] = column.logicalName;
      entity[`${property}@${ANNOTATIONS.lookupLogicalName}`] = value.logicalName;
    } else {
      const formatted = formatValue(column, value);
      if (formatted !== undefined) entity[`${property}@${ANNOTATIONS.formattedValue}`] = formatted;
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

const NUMBER = new Intl.NumberFormat("en-US");
const MONEY = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
/** `11/23/2026 2:54 PM`: en-US's short date with a four-digit year, as Dataverse formats it. */
const DATE_TIME = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "2-digit", timeZone: "UTC" });

/** The user-facing text Dataverse puts in FormattedValue (en-US, UTC). */
function formatValue(column: ColumnDefinition, value: ColumnValue): string | undefined {
  const label = (option: number) => column.options?.find((candidate) => candidate.value === option)?.label ?? String(option);
  switch (column.type) {
    case "Picklist":
    case "State":
    case "Status":
      return label(Number(value));
    case "MultiSelectPicklist":
      return (value as number[]).map(label).join("; ");
    case "Boolean":
      return value ? "Yes" : "No";
    case "Money":
      return MONEY.format(Number(value));
    case "Integer":
    case "BigInt":
    case "Double":
      return NUMBER.format(Number(value));
    case "Decimal":
      return new Intl.NumberFormat("en-US", { minimumFractionDigits: column.precision ?? 0 }).format(Number(value));
    case "DateTime":
      // Some ICU versions put a narrow no-break space before AM/PM; Dataverse has a plain space.
      return DATE_TIME.format(new Date(String(value))).replace(",", "").replace(/\s/g, " ");
    default:
      return undefined;
  }
}
