import { isLookupType } from "./metadata/columns";
import type { TableDefinition } from "./metadata/tables";
import type { OrganizationContext } from "./organizations/organization-context";
import type { RecordStore } from "./store/record-store";
import type { UnitOfWork } from "./store/unit-of-work";
import { isLookupValue, type StoredRecord } from "./store/records";

/** A row a delete takes with it, and its table. */
export interface CascadedRow {
  table: TableDefinition;
  record: StoredRecord;
}

/**
 * The rows a delete of `table`'s row `id` also deletes, as the tables' lookups declare (`cascadeDelete`), and
 * theirs in turn, each once. One storage query per cascading relationship of each deleted table: none for a
 * table no relationship cascades from. Inside a unit of work, rows as it leaves them (its creates included).
 */
export async function cascadedDeletes(store: RecordStore, organization: OrganizationContext, table: TableDefinition, id: string, unitOfWork?: UnitOfWork): Promise<CascadedRow[]> {
  const found = new Map<string, CascadedRow>();
  const visit = async (parent: TableDefinition, parentId: string): Promise<void> => {
    for (const { child, column } of relationshipsFrom(organization, parent)) {
      // Lookups are stored as the id (a polymorphic one's table beside it): storage narrows, the table is checked here.
      const stored = await store.list(organization.name, child, `${column} eq '${parentId.replace(/'/g, "''")}'`);
      for (const record of unitOfWork ? unitOfWork.overlay(child, stored) : stored) {
        const lookup = record.values[column];
        const key = `${child.logicalName}|${record.id}`;
        const pointsHere = isLookupValue(lookup) && lookup.logicalName === parent.logicalName && lookup.id === parentId;
        if (!pointsHere || found.has(key) || (child === table && record.id === id)) continue;
        found.set(key, { table: child, record });
        await visit(child, record.id);
      }
    }
  };
  await visit(table, id);
  return [...found.values()];
}

function relationshipsFrom(organization: OrganizationContext, parent: TableDefinition): { child: TableDefinition; column: string }[] {
  return organization.catalog.tables.flatMap((child) =>
    child.columns
      .filter((column) => isLookupType(column.type) && column.cascadeDelete?.includes(parent.logicalName))
      .map((column) => ({ child, column: column.logicalName })),
  );
}
