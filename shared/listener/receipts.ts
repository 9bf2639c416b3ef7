import { odata, type TableClient } from "@azure/data-tables";
import { postMessageId, type RemoteExecutionContext } from "../model";
import { targetAttributes } from "./target-attributes";

/**
 * One row of `ListenerReceipts`: what the sample listener received (partition = where from, row = the post's
 * identity, `postMessageId`: the OperationId of an asynchronous job's post).
 */
export interface ListenerReceipt {
  /** The entity the message came from: `dataverse-events`, `dataverse-topic/listener`. */
  source: string;
  /** The duplicate key and RowKey: `postMessageId(context)`. */
  postId: string;
  operationId: string;
  messageId: string;
  correlationId: string;
  organizationName: string;
  messageName: string;
  primaryEntityName: string;
  primaryEntityId: string;
  stage: number;
  mode: number;
  depth: number;
  contentType: string;
  truncated: boolean;
  deliveryCount: number;
  receivedOn: Date;
  /**
   * The Target's attributes as the listener read them, as Dataverse JSON literals (a JSON object text); absent
   * when the Target is not a record, was dropped from a truncated message, or does not fit in one property.
   */
  target?: string;
}

/** Table Storage keeps at most 32K UTF-16 code units in one string property. */
const MAX_TARGET_CHARACTERS = 30_000;

function targetColumn(context: RemoteExecutionContext): string | undefined {
  const attributes = targetAttributes(context);
  const text = attributes && JSON.stringify(attributes);
  return text !== undefined && text.length <= MAX_TARGET_CHARACTERS ? text : undefined;
}

export function receiptFor(
  context: RemoteExecutionContext,
  message: { source: string; messageId: string; contentType: string; truncated: boolean; deliveryCount: number },
  receivedOn: Date,
): ListenerReceipt {
  return {
    ...message,
    postId: postMessageId(context),
    operationId: context.operationId,
    correlationId: context.correlationId,
    organizationName: context.organizationName,
    messageName: context.messageName,
    primaryEntityName: context.primaryEntityName,
    primaryEntityId: context.primaryEntityId,
    stage: context.stage,
    mode: context.mode,
    depth: context.depth,
    receivedOn,
    target: targetColumn(context),
  };
}

/** Table keys may not contain `/`, `\`, `#` or `?`; a source such as `dataverse-topic/listener` does. */
const partitionKeyOf = (source: string): string => encodeURIComponent(source);

/** Receipts in Table Storage. Recording is the duplicate check: a second row with the same post identity is refused. */
export class ReceiptStore {
  private tableReady?: Promise<void>;

  constructor(private readonly table: TableClient) {}

  /** @returns false when this post was already received from this source (a duplicate to drop). */
  async record(receipt: ListenerReceipt): Promise<boolean> {
    await this.ensureTable();
    const { source, postId, ...columns } = receipt;
    try {
      await this.table.createEntity({ partitionKey: partitionKeyOf(source), rowKey: postId, ...columns });
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 409) return false;
      throw error;
    }
  }

  /** Receipts, optionally of one source and one correlation id, oldest first. */
  async list(filter: { source?: string; correlationId?: string } = {}): Promise<ListenerReceipt[]> {
    await this.ensureTable();
    const clauses = [
      filter.source === undefined ? undefined : odata`PartitionKey eq ${partitionKeyOf(filter.source)}`,
      filter.correlationId === undefined ? undefined : odata`correlationId eq ${filter.correlationId}`,
    ].filter((clause): clause is string => clause !== undefined);
    const receipts: ListenerReceipt[] = [];
    type Columns = Omit<ListenerReceipt, "source" | "postId" | "operationId"> & { operationId?: string };
    const rows = this.table.listEntities<Columns>({
      queryOptions: clauses.length ? { filter: clauses.join(" and ") } : {},
    });
    for await (const row of rows) {
      // etag and timestamp are the Table SDK's, not the receipt's.
      const { partitionKey, rowKey, etag: _etag, timestamp: _timestamp, ...columns } = row as typeof row & { timestamp?: string };
      receipts.push({
        ...(columns as Columns),
        source: decodeURIComponent(partitionKey ?? ""),
        postId: rowKey ?? "",
        // Rows written before the OperationId became a column of its own have it only as RowKey.
        operationId: columns.operationId ?? rowKey ?? "",
        receivedOn: new Date(columns.receivedOn),
      });
    }
    return receipts.sort((a, b) => a.receivedOn.getTime() - b.receivedOn.getTime());
  }

  /** The deployment creates the table; locally it is created on first use. */
  private ensureTable(): Promise<void> {
    this.tableReady ??= this.table.createTable().catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 409) {
        this.tableReady = undefined;
        throw error;
      }
    });
    return this.tableReady;
  }
}
