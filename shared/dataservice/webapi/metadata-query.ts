import type { ColumnDefinition, ColumnType } from "../metadata/columns";
import type { TableDefinition } from "../metadata/tables";
import { compileCriteria } from "../query/conditions";
import { queryError } from "../query/conditions";
import { filterExpressionOf, parseFilter } from "../query/filter";
import { parseSelect } from "../query/query";
import type { ColumnValue, StoredRecord } from "../store/records";
import type { WebApiRequest } from "./http";

/**
 * `$select` and `$filter` on metadata (EntityMetadata, AttributeMetadata), with the records' own OData
 * parser and criteria (`$filter` as a QueryExpression's FilterExpression): the metadata objects' scalar
 * properties stand in for a table's columns.
 */

type Metadata = Record<string, unknown>;

type MetadataOption = "$select" | "$filter" | "$expand";

/** Properties every answer keeps whatever `$select` names (as Dataverse does). */
const ALWAYS_KEPT = new Set(["@odata.type", "MetadataId", "Attributes"]);

/** Refuses system query options the route does not support (`$top`, `$orderby`, … on metadata). */
export function checkMetadataOptions(request: WebApiRequest, supported: readonly MetadataOption[]): void {
  for (const name of request.url.searchParams.keys()) {
    if (name.startsWith("$") && !(supported as readonly string[]).includes(name)) throw queryError(`The query parameter ${name} is not supported.`);
  }
}

/** Applies the request's `$filter` (if any) and `$select` (if any) to metadata objects of one type (e.g. EntityMetadata). */
export function queryMetadata(typeName: string, items: Metadata[], request: WebApiRequest): Metadata[] {
  const filterText = request.url.searchParams.get("$filter");
  const kept = filterText === null ? items : filterMetadata(typeName, items, filterText);
  const keep = selectedProperties(typeName, items, request);
  return keep ? kept.map((item) => pick(item, keep)) : kept;
}

/** One metadata object under the request's `$select`. */
export function selectMetadata(typeName: string, item: Metadata, request: WebApiRequest): Metadata {
  const keep = selectedProperties(typeName, [item], request);
  return keep ? pick(item, keep) : item;
}

/** The properties `$select` keeps (undefined: all); a name no item of the type has is a 400. */
function selectedProperties(typeName: string, items: Metadata[], request: WebApiRequest): Set<string> | undefined {
  const text = request.url.searchParams.get("$select");
  if (text === null) return undefined;
  const selected = parseSelect(pseudoTable(typeName, items, () => "String"), text).map((column) => column.logicalName);
  return new Set([...selected, ...ALWAYS_KEPT]);
}

function pick(item: Metadata, keep: Set<string>): Metadata {
  return Object.fromEntries(Object.entries(item).filter(([name]) => keep.has(name)));
}

function filterMetadata(typeName: string, items: Metadata[], text: string): Metadata[] {
  const table = pseudoTable(typeName, items, filterType);
  const keeps = compileCriteria(table, filterExpressionOf(table, parseFilter(text)));
  return keeps ? items.filter((item) => keeps(asRecord(typeName, item, table))) : items;
}

/** The column type a scalar metadata property compares as; complex ones (labels, option sets) are not filterable. */
function filterType(name: string, value: unknown): ColumnType | undefined {
  if (name === "MetadataId") return "Uniqueidentifier";
  if (name.startsWith("@")) return undefined;
  if (typeof value === "string") return "String";
  if (typeof value === "boolean") return "Boolean";
  if (typeof value === "number") return "Double";
  return undefined;
}

/** A table whose columns are the metadata type's properties (the union over `items`), so the query code can resolve them. */
function pseudoTable(typeName: string, items: Metadata[], typeOf: (name: string, value: unknown) => ColumnType | undefined): TableDefinition {
  const columns = new Map<string, ColumnDefinition>();
  for (const item of items) {
    for (const [name, value] of Object.entries(item)) {
      const type = typeOf(name, value);
      if (type && !columns.has(name)) columns.set(name, { logicalName: name, schemaName: name, displayName: name, type });
    }
  }
  return {
    logicalName: typeName,
    schemaName: typeName,
    entitySetName: typeName,
    displayName: typeName,
    displayCollectionName: typeName,
    primaryIdAttribute: "MetadataId",
    primaryNameAttribute: "LogicalName",
    ownership: "OrganizationOwned",
    isCustomEntity: false,
    columns: [...columns.values()],
  };
}

function asRecord(typeName: string, item: Metadata, table: TableDefinition): StoredRecord {
  const values = Object.fromEntries(table.columns.map((column) => [column.logicalName, (item[column.logicalName] ?? null) as ColumnValue | null]));
  return { table: typeName, id: String(item.MetadataId), values, etag: "" };
}
