import type { ColumnValues, RecordOperations, RequestScope, RetrieveOptions, StoredRecord, TableDefinition, PageRequest, Page, RecordService, WriteOptions } from "../dataservice";
import type { QueryExpression } from "../model";
import type { EventPipeline } from "./pipeline";

/** The Web API's record operations, each run as a message through the pipeline. */
export class PipelineRecords implements RecordOperations {
  constructor(
    private readonly pipeline: EventPipeline,
    private readonly records: RecordService,
  ) {}

  async create(scope: RequestScope, table: TableDefinition, values: ColumnValues): Promise<StoredRecord> {
    return (await this.pipeline.executeRequest(scope, { message: "Create", table, values })).record!;
  }

  async retrieve(scope: RequestScope, table: TableDefinition, id: string, options: Pick<RetrieveOptions, "columnSet"> = {}): Promise<StoredRecord> {
    return (await this.pipeline.executeRequest(scope, { message: "Retrieve", table, id, columnSet: options.columnSet })).record!;
  }

  async retrieveMultiple(scope: RequestScope, table: TableDefinition, query: QueryExpression, page: PageRequest): Promise<Page> {
    return (await this.pipeline.executeRequest(scope, { message: "RetrieveMultiple", table, query, page })).page!;
  }

  /** `options.current`: the row as the caller read it (an upsert), so the operation does not read it again. */
  async update(scope: RequestScope, table: TableDefinition, id: string, values: ColumnValues, ifMatch?: string, options: Pick<WriteOptions, "current"> = {}): Promise<StoredRecord> {
    return (await this.pipeline.executeRequest(scope, { message: "Update", table, id, values, ifMatch, current: options.current })).record!;
  }

  async delete(scope: RequestScope, table: TableDefinition, id: string, ifMatch?: string): Promise<void> {
    await this.pipeline.executeRequest(scope, { message: "Delete", table, id, ifMatch });
  }

  /** A plain read, outside any message (no steps run). */
  read(scope: RequestScope, table: TableDefinition, id: string): Promise<StoredRecord | undefined> {
    return this.records.read(scope, table, id);
  }

  lookupNames(scope: RequestScope, lookups: Parameters<RecordService["lookupNames"]>[1]): Promise<Map<string, string>> {
    return this.records.lookupNames(scope, lookups);
  }
}
