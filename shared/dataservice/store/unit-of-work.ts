import type { TableClient, TransactionAction } from "@azure/data-tables";
import { PipelineError } from "../../errors";
import type { TableDefinition } from "../metadata/tables";
import type { ColumnValues, StoredRecord } from "./records";
import { encodeRecord, recordRowKey, type RecordEntity } from "./row-codec";

/** Table Storage's entity-group transaction limits (local-runtime-facts §5). */
export const MAX_OPERATIONS_PER_COMMIT = 100;
export const MAX_COMMIT_BYTES = 4 * 1024 * 1024;

export type OperationKind = "create" | "replace" | "delete";

interface PendingOperation {
  kind: OperationKind;
  entity: RecordEntity;
  /** The version a replace or delete expects (deletes in a batch cannot carry it: the SDK sends `*`). */
  etag?: string;
  /** What the caller sees if storage refuses this operation, e.g. `account With Id = …`. */
  describe: string;
  /** A table record's columns as staged (creates and replaces of records), so reads in this unit see them. */
  record?: { table: string; id: string; values: ColumnValues };
}

/**
 * A record as this unit will leave it: `deleted`, or its staged columns (`etag`: the version a staged
 * replace expects, empty for a staged create).
 */
export type StagedRecord = { deleted: true; id: string } | { deleted: false; id: string; record: StoredRecord };

/**
 * The changes one request makes, committed at once as ONE entity-group transaction on the
 * organization's partition (a single operation is sent as a plain call: same atomicity, smaller request).
 * Later stages (plug-ins' nested changes, asyncoperation rows) add their operations to the same unit.
 * A transaction may touch a row once, so several changes of one row fold into one operation.
 */
export class UnitOfWork {
  private readonly operations = new Map<string, PendingOperation>();
  private readonly committedHooks: (() => void)[] = [];
  private readonly succeededHooks: (() => void)[] = [];
  private committed = false;

  constructor(
    private readonly client: TableClient,
    readonly partitionKey: string,
  ) {}

  get size(): number {
    return this.operations.size;
  }

  create(table: TableDefinition, id: string, values: ColumnValues): void {
    this.add("create", encodeRecord(this.partitionKey, table, id, values), `${table.logicalName} With Id = ${id}`, undefined, { table: table.logicalName, id, values });
  }

  /**
   * Replaces the whole row if it is still at `etag`. A second replace of a row in one unit must carry the
   * whole row as it will be (build it on `stagedRecord`): the later operation takes the earlier's place.
   */
  replace(table: TableDefinition, id: string, values: ColumnValues, etag: string): void {
    this.add("replace", encodeRecord(this.partitionKey, table, id, values), `${table.logicalName} With Id = ${id}`, etag, { table: table.logicalName, id, values });
  }

  delete(table: TableDefinition, id: string, etag: string): void {
    const entity = { partitionKey: this.partitionKey, rowKey: recordRowKey(table.logicalName, id) };
    this.add("delete", entity, `${table.logicalName} With Id = ${id}`, etag, { table: table.logicalName, id, values: {} });
  }

  /** Adds a row that is not a table record (metadata, markers); fails on commit if it exists. */
  createRow(entity: RecordEntity, describe: string): void {
    this.add("create", { ...entity, partitionKey: this.partitionKey }, describe);
  }

  /** Replaces a row that is not a table record if it is still at `etag`. */
  replaceRow(entity: RecordEntity, etag: string, describe: string): void {
    this.add("replace", { ...entity, partitionKey: this.partitionKey }, describe, etag);
  }

  /** Deletes a row that is not a table record (`etag` "*": whatever its version). */
  deleteRow(rowKey: string, etag: string, describe: string): void {
    this.add("delete", { partitionKey: this.partitionKey, rowKey }, describe, etag);
  }

  /** The record as this unit will leave it; undefined when the unit does not change it. */
  stagedRecord(table: TableDefinition, id: string): StagedRecord | undefined {
    const operation = this.operations.get(recordRowKey(table.logicalName, id));
    return operation?.record && staged(operation, operation.record);
  }

  /**
   * How this unit changes `table`'s rows, undefined when it stages none of them (storage's rows stand). Applied
   * to the rows read from storage: staged rows in their place, staged deletes left out, staged creates added;
   * in id order, as storage lists them. Storage filters do not apply to staged rows: the caller filters the
   * result in memory.
   */
  overlay(table: TableDefinition): ((stored: StoredRecord[]) => StoredRecord[]) | undefined {
    const changed = [...this.operations.values()].flatMap((operation) => (operation.record?.table === table.logicalName ? [staged(operation, operation.record)] : []));
    if (changed.length === 0) return undefined;
    const ids = new Set(changed.map((row) => row.id));
    return (stored) => {
      const rows = stored.filter((record) => !ids.has(record.id));
      for (const row of changed) if (!row.deleted) rows.push(row.record);
      return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    };
  }

  /** Runs `hook` once the commit was attempted (succeeded or not), e.g. to drop cached state. */
  whenCommitted(hook: () => void): void {
    this.committedHooks.push(hook);
  }

  /** Runs `hook` once the commit succeeded, never after a failed one: e.g. to tell others of a change that is now stored. */
  whenSucceeded(hook: () => void): void {
    this.succeededHooks.push(hook);
  }

  /** Sends every operation in one round trip; returns the new ETag of each written row by row key. */
  async commit(): Promise<Map<string, string>> {
    if (this.committed) throw new PipelineError("Internal", "A unit of work commits once.");
    this.committed = true;
    const etags = new Map<string, string>();
    const operations = [...this.operations.values()];
    try {
      if (operations.length > 0) this.checkLimits(operations);
      if (operations.length === 1) {
        const [operation] = operations;
        const response = await this.sendSingle(operation);
        if (response?.etag) etags.set(operation.entity.rowKey, response.etag);
      } else if (operations.length > 1) {
        const response = await this.client.submitTransaction(operations.map(toAction));
        // Sub-responses come in the operations' order; not every one names its row (an update's has no Location).
        response.subResponses.forEach((sub, index) => sub.etag && etags.set(operations[index].entity.rowKey, sub.etag));
      }
    } catch (error) {
      throw this.translate(error, operations);
    } finally {
      for (const hook of this.committedHooks) hook();
    }
    for (const hook of this.succeededHooks) hook();
    return etags;
  }

  private add(kind: OperationKind, entity: RecordEntity, describe: string, etag?: string, record?: PendingOperation["record"]): void {
    if (this.committed) throw new PipelineError("Internal", "The unit of work was already committed.");
    const earlier = this.operations.get(entity.rowKey);
    const operation = { kind, entity, describe, etag, record };
    const folded = earlier ? fold(earlier, operation) : operation;
    if (folded) this.operations.set(entity.rowKey, folded);
    else this.operations.delete(entity.rowKey);
  }

  private checkLimits(operations: PendingOperation[]): void {
    if (operations.length > MAX_OPERATIONS_PER_COMMIT) {
      throw new PipelineError("ValidationFailed", `One request may change at most ${MAX_OPERATIONS_PER_COMMIT} rows.`);
    }
    const bytes = operations.reduce((sum, operation) => sum + Buffer.byteLength(JSON.stringify(operation.entity)), 0);
    if (bytes >= MAX_COMMIT_BYTES) throw new PipelineError("MessageTooLarge", "The changes of one request must stay under 4 MiB.");
  }

  private async sendSingle({ kind, entity, etag }: PendingOperation): Promise<{ etag?: string } | undefined> {
    switch (kind) {
      case "create":
        return this.client.createEntity(entity);
      case "replace":
        return this.client.updateEntity(entity, "Replace", { etag });
      case "delete":
        await this.client.deleteEntity(entity.partitionKey, entity.rowKey, { etag });
        return undefined;
    }
  }

  /** Storage answers with a status only (local-runtime-facts §5); a batch names the failed operation's index. */
  private translate(error: unknown, operations: PendingOperation[]): unknown {
    const status = (error as { statusCode?: number }).statusCode;
    const failed = failedOperation(error, operations);
    const subject = failed?.describe ?? "The record";
    if (status === 409) return new PipelineError("Duplicate", "A record with matching key values already exists.", { cause: error });
    if (status === 412) {
      return new PipelineError("ConcurrencyConflict", "The version of the existing record doesn't match the RowVersion property provided.", { cause: error });
    }
    if (status === 404) return new PipelineError("NotFound", `${subject} Does Not Exist`, { cause: error });
    return error;
  }
}

function staged(operation: PendingOperation, { table, id, values }: NonNullable<PendingOperation["record"]>): StagedRecord {
  if (operation.kind === "delete") return { deleted: true, id };
  return { deleted: false, id, record: { table, id, values: { ...values }, etag: operation.etag ?? "" } };
}

function toAction({ kind, entity, etag }: PendingOperation): TransactionAction {
  if (kind === "replace") return ["update", entity, "Replace", { etag }];
  return [kind, entity];
}

function failedOperation(error: unknown, operations: PendingOperation[]): PendingOperation | undefined {
  if (operations.length === 1) return operations[0];
  const match = /^(\d+):/.exec(String((error as { message?: string }).message ?? ""));
  return match ? operations[Number(match[1])] : undefined;
}

/**
 * Two changes of one row as one operation (undefined: they cancel out). The first operation's expected
 * version is kept: the row must still be as it was when this unit first read it. A later replace holds
 * the whole row (record writes build it on the staged row), so it takes the earlier one's place.
 */
function fold(earlier: PendingOperation, later: PendingOperation): PendingOperation | undefined {
  const pair = `${earlier.kind}+${later.kind}`;
  switch (pair) {
    case "create+replace":
      return { ...later, kind: "create", etag: undefined };
    case "create+delete":
      return undefined;
    case "replace+replace":
    case "replace+delete":
      return { ...later, etag: earlier.etag };
    case "delete+create":
      return { ...later, kind: "replace", etag: earlier.etag };
    case "create+create":
      throw new PipelineError("Duplicate", `${later.describe} is created twice in one request.`);
    default:
      throw new PipelineError("NotFound", `${later.describe} Does Not Exist (deleted earlier in this request).`);
  }
}
