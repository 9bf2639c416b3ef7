import { odata } from "@azure/data-tables";
import type { TableDefinition } from "./metadata/tables";
import type { RecordStore } from "./store/record-store";
import type { UnitOfWork } from "./store/unit-of-work";
import { isLookupValue, type StoredRecord } from "./store/records";

/** Where a lookup points: a table's row. */
interface RowPointer {
  table: string;
  id: string;
}

/**
 * The rows of `table` whose lookup `column` points at `to`, as `unitOfWork` leaves them (its creates
 * included, its deletes left out), else as stored. One storage query.
 */
export async function referringRows(store: RecordStore, partitionKey: string, table: TableDefinition, column: string, to: RowPointer, unitOfWork?: UnitOfWork): Promise<StoredRecord[]> {
  // Lookups are stored as the id (a polymorphic one's table beside it): storage narrows, the table is checked here.
  const overlay = unitOfWork?.overlay(table);
  const stored = await store.list(partitionKey, table, `${column} ${odata`eq ${to.id}`}`);
  return (overlay ? overlay(stored) : stored).filter((record) => {
    const lookup = record.values[column];
    return isLookupValue(lookup) && lookup.logicalName === to.table && lookup.id === to.id;
  });
}
