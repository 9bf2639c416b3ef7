import { DATAVERSE_SPECIFIC_CODES, PipelineError } from "../../errors";
import { isLookupType, type ColumnDefinition } from "../metadata/columns";
import { EDM_TYPE, parseEdm } from "../metadata/edm";
import type { TableCatalog } from "../metadata/catalog";
import type { TableDefinition } from "../metadata/tables";
import { unknownPropertyError, validateColumnValue } from "../metadata/validate";
import type { ColumnValue, ColumnValues } from "../store/records";

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
      const navigation = key.slice(0, -BIND_SUFFIX.length);
      const column = findNavigationColumn(table, navigation);
      values[column.logicalName] = raw === null ? null : readBind(catalog, column, navigation, raw);
    } else if (key.startsWith("@") || key.includes("@odata.")) {
      continue;
    } else if (raw === null && navigationColumn(table, key)) {
      // Dataverse disassociates a lookup set to null by its navigation property name, as by `…@odata.bind: null`.
      values[findNavigationColumn(table, key).logicalName] = null;
    } else {
      const column = table.columns.find((candidate) => candidate.logicalName === key);
      if (!column) throw unknownPropertyError(table, key);
      if (isLookupType(column.type)) {
        throw new PipelineError("ValidationFailed", `Set the lookup '${key}' with '${key}@odata.bind': '/{entityset}({id})'.`, {
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

/** The lookup a navigation property names: its name, or for a lookup to several tables `{name}_{table}` (e.g. `eventhandler_plugintype`). */
export function navigationColumn(table: TableDefinition, name: string): ColumnDefinition | undefined {
  return table.columns.find(
    (candidate) =>
      isLookupType(candidate.type) &&
      (candidate.logicalName === name || candidate.schemaName === name || (candidate.targets ?? []).some((target) => name === `${candidate.logicalName}_${target}`)),
  );
}

/** The writable lookup a navigation property names; any other name is the OData 400. */
function findNavigationColumn(table: TableDefinition, name: string): ColumnDefinition {
  const column = navigationColumn(table, name);
  if (!column || column.readOnly) throw unknownPropertyError(table, name);
  return column;
}

const BIND_PATTERN = /(?:^|\/)([A-Za-z_][A-Za-z0-9_]*)\(([0-9a-fA-F-]{36})\)$/;

/** A bind's row; a navigation property named for one of a lookup's tables (`parentcustomerid_contact`) binds only rows of that table. */
function readBind(catalog: TableCatalog, column: ColumnDefinition, navigation: string, raw: unknown): ColumnValue {
  const match = typeof raw === "string" ? BIND_PATTERN.exec(raw) : null;
  const id = match ? parseEdm.guid(match[2]) : undefined;
  const target = match ? catalog.tableBySetName(match[1]) : undefined;
  if (!match || !id || !target) {
    throw new PipelineError("InvalidFormat", `'${navigation}@odata.bind' must be '/{entityset}({id})' of an existing table; got ${describeJson(raw)}.`, {
      path: column.logicalName,
      dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
    });
  }
  const namedTarget = (column.targets ?? []).find((candidate) => navigation === `${column.logicalName}_${candidate}`);
  if (namedTarget !== undefined && namedTarget !== target.logicalName) {
    throw new PipelineError("ValidationFailed", `'${navigation}' refers to a '${namedTarget}' row: a row of '${target.logicalName}' (${target.entitySetName}) cannot be bound to it.`, {
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
