import { odata, type TableClient, type TableEntityResult } from "@azure/data-tables";
import type { TableDefinition } from "../metadata/tables";
import type { StoredRecord } from "./records";
import { decodeRecord, recordRowKey, tableRowKeyRange } from "./row-codec";
import { UnitOfWork } from "./unit-of-work";

export type RawRow = TableEntityResult<Record<string, unknown>>;

/**
 * Reads records of one table storage table in which each organization is one partition. Every
 * organization's rows a request may touch share that partition, so one request commits in one
 * entity-group transaction. Cost: a partition serves about 2,000 entities/s, which caps one
 * organization's write rate; organizations scale out across partitions.
 */
export class RecordStore {
  private tableReady?: Promise<void>;

  constructor(readonly client: TableClient) {}

  /** Creates the table on first use (once per process). */
  ensureTable(): Promise<void> {
    this.tableReady ??= this.client.createTable().catch((error: unknown) => {
      this.tableReady = undefined;
      throw error;
    });
    return this.tableReady;
  }

  /** The record as `unitOfWork` leaves it (its staged columns; a staged delete as none), else as stored. */
  async read(partitionKey: string, table: TableDefinition, id: string, unitOfWork?: UnitOfWork): Promise<StoredRecord | undefined> {
    const staged = unitOfWork?.stagedRecord(table, id);
    if (staged) return staged.deleted ? undefined : staged.record;
    const row = await this.readRow(partitionKey, recordRowKey(table.logicalName, id));
    return row && decodeRecord(table, row);
  }

  async readRow(partitionKey: string, rowKey: string): Promise<RawRow | undefined> {
    try {
      return await this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /** A table's records; `condition` is a Table Storage filter on their properties. */
  async list(partitionKey: string, table: TableDefinition, condition?: string): Promise<StoredRecord[]> {
    const records: StoredRecord[] = [];
    for await (const record of this.scan(partitionKey, table, undefined, condition)) records.push(record);
    return records;
  }

  /**
   * A table's records in id order, after the record with id `afterId` when given; storage pages
   * (1,000 rows, one round trip each) are fetched only as the caller reads on.
   */
  async *scan(partitionKey: string, table: TableDefinition, afterId?: string, condition?: string): AsyncGenerator<StoredRecord> {
    const range = tableRowKeyRange(table.logicalName);
    const after = afterId === undefined ? undefined : recordRowKey(table.logicalName, afterId);
    for await (const row of this.iterateRows(partitionKey, range, after, condition)) {
      yield decodeRecord(table, row);
    }
  }

  /** Every row of the partition whose row key is in [from, to). */
  async listRows(partitionKey: string, range: { from: string; to: string }): Promise<RawRow[]> {
    const rows: RawRow[] = [];
    for await (const row of this.iterateRows(partitionKey, range)) rows.push(row);
    return rows;
  }

  /** `condition`: a Table Storage filter on the row's properties, ANDed with the key range. */
  private iterateRows(partitionKey: string, range: { from: string; to: string }, after?: string, condition?: string): AsyncIterable<RawRow> {
    const keys =
      after === undefined
        ? odata`PartitionKey eq ${partitionKey} and RowKey ge ${range.from} and RowKey lt ${range.to}`
        : odata`PartitionKey eq ${partitionKey} and RowKey gt ${after} and RowKey lt ${range.to}`;
    const filter = condition ? `${keys} and (${condition})` : keys;
    return this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter } });
  }

  beginUnitOfWork(partitionKey: string): UnitOfWork {
    return new UnitOfWork(this.client, partitionKey);
  }
}
