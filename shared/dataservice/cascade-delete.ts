import type { TableCatalog } from "./metadata/catalog";
import { isLookupType } from "./metadata/columns";
import type { TableDefinition } from "./metadata/tables";
import type { OrganizationContext } from "./organizations/organization-context";
import type { RecordStore } from "./store/record-store";
import type { UnitOfWork } from "./store/unit-of-work";
import type { StoredRecord } from "./store/records";
import { referringRows } from "./referring-rows";

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
  const relationships = cascadeRelationships(organization.catalog);
  const visit = async (parent: TableDefinition, parentId: string): Promise<void> => {
    for (const { child, column } of relationships.get(parent.logicalName) ?? []) {
      for (const record of await referringRows(store, organization.name, child, column, { table: parent.logicalName, id: parentId }, unitOfWork)) {
        const key = `${child.logicalName}|${record.id}`;
        if (found.has(key) || (child === table && record.id === id)) continue;
        found.set(key, { table: child, record });
        await visit(child, record.id);
      }
    }
  };
  await visit(table, id);
  return [...found.values()];
}

interface CascadeRelationship {
  child: TableDefinition;
  column: string;
}

/** Each catalog's cascading relationships by parent table, worked out once per catalog (an organization's context holds one). */
const relationshipsByCatalog = new WeakMap<TableCatalog, Map<string, CascadeRelationship[]>>();

function cascadeRelationships(catalog: TableCatalog): Map<string, CascadeRelationship[]> {
  let byParent = relationshipsByCatalog.get(catalog);
  if (byParent) return byParent;
  byParent = new Map();
  for (const child of catalog.tables) {
    for (const column of child.columns) {
      if (!isLookupType(column.type)) continue;
      for (const parent of column.cascadeDelete ?? []) {
        const list = byParent.get(parent) ?? [];
        list.push({ child, column: column.logicalName });
        byParent.set(parent, list);
      }
    }
  }
  relationshipsByCatalog.set(catalog, byParent);
  return byParent;
}
