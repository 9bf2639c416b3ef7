import type { ColumnDefinition } from "./columns";

/** One table (Dataverse EntityMetadata, essential subset). */
export interface TableDefinition {
  logicalName: string;
  schemaName: string;
  entitySetName: string;
  displayName: string;
  displayCollectionName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string;
  /** User-owned tables have ownerid and are checked per caller; organization-owned have none. */
  ownership: "UserOwned" | "OrganizationOwned";
  isCustomEntity: boolean;
  columns: ColumnDefinition[];
}

/** An entity set name as the Web API routes it and CSDL allows it (a SimpleIdentifier: a letter or `_`, then letters, digits and `_`). */
export const ENTITY_SET_NAME_PATTERN = "[A-Za-z_][A-Za-z0-9_]*";

/**
 * The Web API's own resources, addressed by name where entity sets are: no table's entity set may take one (it
 * would be unreachable, and `WhoAmI` would name two things in the `$metadata` container).
 */
export const RESERVED_ENTITY_SET_NAMES: ReadonlySet<string> = new Set(["WhoAmI", "EntityDefinitions"]);

export function findColumn(table: TableDefinition, logicalName: string): ColumnDefinition | undefined {
  return table.columns.find((column) => column.logicalName === logicalName);
}
