import type { RecordStore } from "../store/record-store";
import type { UnitOfWork } from "../store/unit-of-work";
import type { TableDefinition } from "./tables";

/** Custom table definitions live beside the organization's records, one row each: `$table|{logicalname}`. */
const PREFIX = "$table|";

export function customTableRowKey(logicalName: string): string {
  return PREFIX + logicalName;
}

export async function readCustomTables(store: RecordStore, organization: string): Promise<TableDefinition[]> {
  const rows = await store.listRows(organization, { from: PREFIX, to: "$table}" });
  return rows.map((row) => JSON.parse(String(row.definition)) as TableDefinition);
}

export async function readCustomTableEtag(store: RecordStore, organization: string, logicalName: string): Promise<string | undefined> {
  return (await store.readRow(organization, customTableRowKey(logicalName)))?.etag;
}

export function writeCustomTable(uow: UnitOfWork, table: TableDefinition, etag?: string): void {
  const row = { partitionKey: uow.partitionKey, rowKey: customTableRowKey(table.logicalName), definition: JSON.stringify(table) };
  const describe = `EntityDefinition ${table.logicalName}`;
  if (etag) uow.replaceRow(row, etag, describe);
  else uow.createRow(row, describe);
}
