import { DATAVERSE_SPECIFIC_CODES, PipelineError } from "../../errors";
import { isLookupType, type ColumnDefinition } from "../metadata/columns";
import { EDM_TYPE, parseEdm } from "../metadata/edm";
import type { TableCatalog } from "../metadata/catalog";
import type { TableDefinition } from "../metadata/tables";
import { unknownPropertyError, validateColumnValue } from "../metadata/validate";
import type { ColumnValue, ColumnValues } from "../store/records";
import { findNavigationProperty, navigationProperties, type NavigationProperty } from "./navigation-properties";

const BIND_SUFFIX = "@odata.bind";

/**
 * Reads a Web API entity body (`{"name":"x","parentaccountid@odata.bind":"/accounts(id)"}`) into typed
 * column values, validating each against its column. The row's own id is allowed only when `allowId`.
 */
export function readEntityBody(catalog: TableCatalog, table: TableDefinition, body: unknown, allowId: boolean): ColumnValues {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new PipelineError("InvalidFormat", "The request body must be a JSON object.", { dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError });
  }
  const values: ColumnValues = {};
  for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
    if (key.endsWith(BIND_SUFFIX)) {
      const navigation = writableNavigation(catalog, table, key.slice(0, -BIND_SUFFIX.length));
      values[navigation.column.logicalName] = raw === null ? null : readBind(catalog, navigation, raw);
    } else if (key.startsWith("@") || key.includes("@odata.")) {
      continue;
    } else if (raw === null && findNavigationProperty(catalog, table, key)) {
      // Dataverse disassociates a lookup set to null by its navigation property name, as by `…@odata.bind: null`.
      values[writableNavigation(catalog, table, key).column.logicalName] = null;
    } else {
      const column = table.columns.find((candidate) => candidate.logicalName === key);
      if (!column) throw unknownPropertyError(table, key);
      if (isLookupType(column.type)) {
        const binds = navigationProperties(catalog, table)
          .filter((navigation) => navigation.column === column)
          .map(({ name }) => `'${name}${BIND_SUFFIX}'`);
        throw new PipelineError("ValidationFailed", `Set the lookup '${key}' with ${binds.join(" or ") || "its navigation property"}: '/{entityset}({id})'.`, {
          path: key,
          dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
        });
      }
      if (column.readOnly || (column.isPrimaryId && !allowId)) {
        throw new PipelineError("ValidationFailed", `The '${key}' column of '${table.logicalName}' cannot be set.`, { path: key });
      }
      values[key] = raw === null ? null : readPrimitive(table, column, raw);
    }
  }
  for (const [name, value] of Object.entries(values)) {
    const column = table.columns.find((candidate) => candidate.logicalName === name);
    if (column) validateColumnValue(table, column, value);
  }
  return values;
}

/**
 * The navigation property a bind names, as `$metadata` declares it (exact case); any other name is OData's
 * undeclared property, as Dataverse answers it (e.g. the bare `parentcustomerid` of a lookup to several
 * tables). A read-only lookup's navigation property cannot be set: the 400 of an unknown property.
 */
function writableNavigation(catalog: TableCatalog, table: TableDefinition, name: string): NavigationProperty {
  const navigation = findNavigationProperty(catalog, table, name);
  if (!navigation) throw undeclaredPropertyError(name);
  if (navigation.column.readOnly) throw unknownPropertyError(table, name);
  return navigation;
}

/** Dataverse's answer (OData's message, code 0x0) to an annotation such as `@odata.bind` on a name its type does not declare. */
function undeclaredPropertyError(name: string): PipelineError {
  return new PipelineError(
    "ValidationFailed",
    `An error occurred while validating input parameters: Microsoft.OData.ODataException: An undeclared property '${name}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
    { path: name, dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError },
  );
}

const BIND_PATTERN = /(?:^|\/)([A-Za-z_][A-Za-z0-9_]*)\(([0-9a-fA-F-]{36})\)$/;

/**
 * A bind's row. A navigation property names one table: a row of another of its lookup's tables
 * (an account bound to `parentcustomerid_contact`) is refused here; a row of a table the lookup cannot
 * refer to at all is left to the column's validation (Dataverse's attribute validation code).
 */
function readBind(catalog: TableCatalog, navigation: NavigationProperty, raw: unknown): ColumnValue {
  const { name, column } = navigation;
  const match = typeof raw === "string" ? BIND_PATTERN.exec(raw) : null;
  const id = match ? parseEdm.guid(match[2]) : undefined;
  const target = match ? catalog.tableBySetName(match[1]) : undefined;
  if (!match || !id || !target) {
    throw new PipelineError("InvalidFormat", `'${name}@odata.bind' must be '/{entityset}({id})' of an existing table; got ${describeJson(raw)}.`, {
      path: column.logicalName,
      dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
    });
  }
  if (target.logicalName !== navigation.target.logicalName && (column.targets ?? []).includes(target.logicalName)) {
    throw new PipelineError("ValidationFailed", `'${name}' refers to a '${navigation.target.logicalName}' row: a row of '${target.logicalName}' (${target.entitySetName}) cannot be bound to it.`, {
      path: column.logicalName,
      dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
    });
  }
  return { id, logicalName: target.logicalName };
}

function readPrimitive(table: TableDefinition, column: ColumnDefinition, raw: unknown): ColumnValue {
  const value = convert(column, raw);
  if (value === undefined) {
    throw new PipelineError("InvalidFormat", `Cannot convert ${describeJson(raw)} of '${column.logicalName}' to the expected type '${EDM_TYPE[column.type]}'.`, {
      path: column.logicalName,
      dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
    });
  }
  return value;
}

/**
 * What a refused JSON value is, never the value itself: it may be huge, nested too deep to print, or a
 * secret sent to the wrong column.
 */
function describeJson(raw: unknown): string {
  if (Array.isArray(raw)) return "an array";
  if (typeof raw === "object") return "an object";
  if (typeof raw === "string") return raw.length === 0 ? "an empty string" : `a string of ${raw.length} characters`;
  return `a ${typeof raw}`;
}

function convert(column: ColumnDefinition, raw: unknown): ColumnValue | undefined {
  switch (column.type) {
    case "String":
    case "Memo":
      return typeof raw === "string" ? raw : undefined;
    case "Integer":
    case "Picklist":
    case "State":
    case "Status":
      return Number.isInteger(raw) ? (raw as number) : undefined;
    case "BigInt":
      if (typeof raw === "string" && /^-?\d+$/.test(raw) && Number.isSafeInteger(Number(raw))) return Number(raw);
      return Number.isSafeInteger(raw) ? (raw as number) : undefined;
    case "Double":
      return typeof raw === "number" && Number.isFinite(raw) ? raw : undefined;
    case "Decimal":
    case "Money":
      if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
      return typeof raw === "string" ? parseEdm.decimal(raw) : undefined;
    case "Boolean":
      return typeof raw === "boolean" ? raw : undefined;
    case "DateTime":
      return typeof raw === "string" ? parseEdm.dateTime(raw) : undefined;
    case "Uniqueidentifier":
      return typeof raw === "string" ? parseEdm.guid(raw) : undefined;
    case "MultiSelectPicklist": {
      const items = typeof raw === "string" ? raw.split(",").filter((item) => item.trim() !== "") : raw;
      if (!Array.isArray(items) || !items.every((item) => typeof item === "number" || typeof item === "string")) return undefined;
      const numbers = items.map((item) => Number(item));
      return numbers.every(Number.isInteger) ? numbers : undefined;
    }
    default:
      return undefined;
  }
}
