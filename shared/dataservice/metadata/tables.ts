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

export function findColumn(table: TableDefinition, logicalName: string): ColumnDefinition | undefined {
  return table.columns.find((column) => column.logicalName === logicalName);
}
