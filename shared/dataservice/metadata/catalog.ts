import { BUILTIN_TABLES } from "./builtin-tables";
import type { TableDefinition } from "./tables";

/** The tables of one organization: the built-in ones plus the custom ones it created. */
export class TableCatalog {
  private readonly byLogicalName = new Map<string, TableDefinition>();
  private readonly bySetName = new Map<string, TableDefinition>();

  /** `stored`: custom tables, and built-in tables extended with custom columns (only those columns are taken). */
  constructor(stored: readonly TableDefinition[] = []) {
    const builtins = new Map(BUILTIN_TABLES.map((table) => [table.logicalName, table]));
    for (const table of [...BUILTIN_TABLES, ...stored.map((table) => withBuiltinColumns(builtins.get(table.logicalName), table))]) {
      this.byLogicalName.set(table.logicalName, table);
      this.bySetName.set(table.entitySetName, table);
    }
  }

  get tables(): TableDefinition[] {
    return [...this.byLogicalName.values()];
  }

  table(logicalName: string): TableDefinition | undefined {
    return this.byLogicalName.get(logicalName);
  }

  tableBySetName(entitySetName: string): TableDefinition | undefined {
    return this.bySetName.get(entitySetName);
  }
}

/** A stored copy of a built-in table keeps the code's current definition plus its custom columns. */
function withBuiltinColumns(builtin: TableDefinition | undefined, stored: TableDefinition): TableDefinition {
  if (!builtin) return stored;
  const known = new Set(builtin.columns.map((column) => column.logicalName));
  return { ...builtin, columns: [...builtin.columns, ...stored.columns.filter((column) => column.isCustom && !known.has(column.logicalName))] };
}
