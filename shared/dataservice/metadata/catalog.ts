import { BUILTIN_TABLES } from "./builtin-tables";
import type { TableDefinition } from "./tables";

/** The tables of one organization: the built-in ones plus the custom ones it created. */
export class TableCatalog {
  private readonly byLogicalName = new Map<string, TableDefinition>();
  private readonly bySetName = new Map<string, TableDefinition>();

  constructor(custom: readonly TableDefinition[] = []) {
    for (const table of [...BUILTIN_TABLES, ...custom]) {
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
