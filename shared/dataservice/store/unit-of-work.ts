import type { TableClient, TransactionAction } from "@azure/data-tables";
import { PipelineError } from "../../errors";
import type { TableDefinition } from "../metadata/tables";
import type { ColumnValues } from "./records";
import { encodeRecord, recordRowKey, type RecordEntity } from "./row-codec";

/** Table Storage's entity-group transaction limits (local-runtime-facts §5). */
export const MAX_OPERATIONS_PER_COMMIT = 100;
export const MAX_COMMIT_BYTES = 4 * 1024 * 1024;

interface PendingOperation {
  action: TransactionAction;
  /** Deletes in a batch cannot carry an ETag (the SDK sends `*`); a single delete does. */
  deleteEtag?: string;
  /** What the caller sees if storage refuses this operation. */
  describe: string;
}

/**
 * The changes one request makes, committed at once as ONE entity-group transaction on the
 * organization's partition (a single operation is sent as a plain call: same atomicity, smaller request).
 * Later stages (plug-ins' nested changes, asyncoperation rows) add their operations to the same unit.
 */
export class UnitOfWork {
  private readonly operations: PendingOperation[] = [];
  private committed = false;

  constructor(
    private readonly client: TableClient,
    readonly partitionKey: string,
  ) {}

  get size(): number {
    return this.operations.length;
  }

  create(table: TableDefinition, id: string, values: ColumnValues): void {
    this.add(["create", encodeRecord(this.partitionKey, table, id, values)], `${table.logicalName} With Id = ${id}`);
  }

  /** Replaces the whole row if it is still at `etag`. */
  replace(table: TableDefinition, id: string, values: ColumnValues, etag: string): void {
    this.add(["update", encodeRecord(this.partitionKey, table, id, values), "Replace", { etag }], `${table.logicalName} With Id = ${id}`);
  }

  delete(table: TableDefinition, id: string, etag: string): void {
    const entity = { partitionKey: this.partitionKey, rowKey: recordRowKey(table.logicalName, id) };
    this.add(["delete", entity], `${table.logicalName} With Id = ${id}`, etag);
  }

  /** Adds a row that is not a table record (metadata, markers); fails on commit if it exists. */
  createRow(entity: RecordEntity, describe: string): void {
    this.add(["create", { ...entity, partitionKey: this.partitionKey }], describe);
  }

  /** Replaces a row that is not a table record if it is still at `etag`. */
  replaceRow(entity: RecordEntity, etag: string, describe: string): void {
    this.add(["update", { ...entity, partitionKey: this.partitionKey }, "Replace", { etag }], describe);
  }

  /** Sends every operation in one round trip; returns the new ETag of each written row by row key. */
  async commit(): Promise<Map<string, string>> {
    if (this.committed) throw new PipelineError("Internal", "A unit of work commits once.");
    this.committed = true;
    const etags = new Map<string, string>();
    if (this.operations.length === 0) return etags;
    this.checkLimits();
    try {
      if (this.operations.length === 1) {
        const [operation] = this.operations;
        const response = await this.sendSingle(operation);
        if (response?.etag) etags.set(operation.action[1].rowKey, response.etag);
      } else {
        const response = await this.client.submitTransaction(this.operations.map((operation) => operation.action));
        for (const sub of response.subResponses) if (sub.etag && sub.rowKey) etags.set(sub.rowKey, sub.etag);
      }
    } catch (error) {
      throw this.translate(error);
    }
    return etags;
  }

  private add(action: TransactionAction, describe: string, deleteEtag?: string): void {
    if (this.committed) throw new PipelineError("Internal", "The unit of work was already committed.");
    this.operations.push({ action, describe, deleteEtag });
  }

  private checkLimits(): void {
    if (this.operations.length > MAX_OPERATIONS_PER_COMMIT) {
      throw new PipelineError("ValidationFailed", `One request may change at most ${MAX_OPERATIONS_PER_COMMIT} rows.`);
    }
    const bytes = this.operations.reduce((sum, operation) => sum + Buffer.byteLength(JSON.stringify(operation.action[1])), 0);
    if (bytes >= MAX_COMMIT_BYTES) throw new PipelineError("MessageTooLarge", "The changes of one request must stay under 4 MiB.");
  }

  private async sendSingle({ action, deleteEtag }: PendingOperation): Promise<{ etag?: string } | undefined> {
    switch (action[0]) {
      case "create":
        return this.client.createEntity(action[1]);
      case "update":
        return this.client.updateEntity(action[1], action[2] ?? "Merge", action[3]);
      case "delete":
        await this.client.deleteEntity(action[1].partitionKey, action[1].rowKey, { etag: deleteEtag });
        return undefined;
      default:
        throw new PipelineError("Internal", `Unsupported store operation ${action[0]}.`);
    }
  }

  /** Storage answers with a status only (local-runtime-facts §5); a batch names the failed operation's index. */
  private translate(error: unknown): unknown {
    const status = (error as { statusCode?: number }).statusCode;
    const failed = this.failedOperation(error);
    const subject = failed?.describe ?? "The record";
    if (status === 409) return new PipelineError("Duplicate", "A record with matching key values already exists.", { cause: error });
    if (status === 412) {
      return new PipelineError("ConcurrencyConflict", "The version of the existing record doesn't match the RowVersion property provided.", { cause: error });
    }
    if (status === 404) return new PipelineError("NotFound", `${subject} Does Not Exist`, { cause: error });
    return error;
  }

  private failedOperation(error: unknown): PendingOperation | undefined {
    if (this.operations.length === 1) return this.operations[0];
    const match = /^(\d+):/.exec(String((error as { message?: string }).message ?? ""));
    return match ? this.operations[Number(match[1])] : undefined;
  }
}
