import { randomUUID } from "node:crypto";
import { TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";
import type { HistoryEvent, RuntimeStatus } from "./history";

/** An orchestration instance as stored (one row per instance). */
export interface InstanceRecord {
  instanceId: string;
  name: string;
  runtimeStatus: RuntimeStatus;
  executionId: string;
  /** JSON text. */
  input?: string;
  /** JSON text. */
  output?: string;
  /** JSON text. */
  customStatus?: string;
  createdTime: string;
  lastUpdatedTime: string;
  parentInstanceId?: string;
  parentExecutionId?: string;
  parentTaskId?: number;
}

export type ControlOperation = "terminate" | "suspend" | "resume";

/** A message for an instance that has not reached its history yet (the instance's inbox). */
export interface InboxMessage {
  rowKey: string;
  /** The execution it is meant for; messages for an older execution are dropped. */
  executionId?: string;
  event?: HistoryEvent;
  control?: { operation: ControlOperation; reason: string };
}

const INSTANCE_ROW = "!instance";

/** A create-only write found a row of the instance already there. */
export class InstanceExistsError extends Error {
  override readonly name = "InstanceExistsError";
  constructor(readonly instanceId: string) {
    super(`An instance with ID '${instanceId}' already exists.`);
  }
}
const CHUNK_CHARS = 30_000;
const BATCH_LIMIT = 100;

/** Long JSON is split over several string properties (a property holds at most 64 KiB). */
function packText(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (let i = 0, n = 0; i < text.length || n === 0; i += CHUNK_CHARS, n++) properties[`Data${n}`] = text.slice(i, i + CHUNK_CHARS);
  return properties;
}

function unpackText(entity: Record<string, unknown>): string {
  let text = "";
  for (let n = 0; typeof entity[`Data${n}`] === "string"; n++) text += entity[`Data${n}`] as string;
  return text;
}

let messageCounter = 0;
function inboxRowKey(): string {
  messageCounter = (messageCounter + 1) % 1_000_000;
  return `m:${String(Date.now()).padStart(15, "0")}:${String(messageCounter).padStart(6, "0")}:${randomUUID()}`;
}

const historyRowKey = (executionId: string, sequence: number) => `h:${executionId}:${String(sequence).padStart(8, "0")}`;

/**
 * Instances, histories and inboxes of one task hub in one table (`<hub>Durable`), partitioned by
 * instance id so that an episode commits in one entity-group transaction.
 */
export class DurableStore {
  private constructor(private readonly table: TableClient) {}

  static async open(connectionString: string, hubName: string): Promise<DurableStore> {
    const table = TableClient.fromConnectionString(connectionString, `${hubName.replace(/[^A-Za-z0-9]/g, "")}Durable`, { allowInsecureConnection: true });
    await table.createTable();
    return new DurableStore(table);
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(instanceId, INSTANCE_ROW);
      return JSON.parse(unpackText(entity)) as InstanceRecord;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async listInstances(): Promise<InstanceRecord[]> {
    const records: InstanceRecord[] = [];
    const entities = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `RowKey eq '${INSTANCE_ROW}'` } });
    for await (const entity of entities) records.push(JSON.parse(unpackText(entity)) as InstanceRecord);
    return records;
  }

  async loadHistory(instanceId: string, executionId: string): Promise<HistoryEvent[]> {
    const prefix = `h:${executionId}:`;
    const filter = `PartitionKey eq '${escape(instanceId)}' and RowKey ge '${prefix}' and RowKey lt '${prefix}~'`;
    const events: HistoryEvent[] = [];
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) events.push(JSON.parse(unpackText(entity)) as HistoryEvent);
    return events;
  }

  async loadInbox(instanceId: string): Promise<InboxMessage[]> {
    const filter = `PartitionKey eq '${escape(instanceId)}' and RowKey ge 'm:' and RowKey lt 'm;'`;
    const messages: InboxMessage[] = [];
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      messages.push({ ...(JSON.parse(unpackText(entity)) as Omit<InboxMessage, "rowKey">), rowKey: String(entity.rowKey) });
    }
    return messages.sort((a, b) => a.rowKey.localeCompare(b.rowKey));
  }

  /** @returns the message as stored (with its row key). */
  async send(instanceId: string, message: Omit<InboxMessage, "rowKey">): Promise<InboxMessage> {
    const rowKey = inboxRowKey();
    await this.table.createEntity({ partitionKey: instanceId, rowKey, ...packText(JSON.stringify(message)) });
    return { ...message, rowKey };
  }

  /** Writes the instance row and, in the same transaction, a first message (e.g. its start); returns that message as stored. */
  async saveInstance(record: InstanceRecord, message: Omit<InboxMessage, "rowKey">): Promise<InboxMessage> {
    const rowKey = inboxRowKey();
    await this.#submit([
      ["upsert", instanceEntity(record), "Replace"],
      ["create", { partitionKey: record.instanceId, rowKey, ...packText(JSON.stringify(message)) }],
    ]);
    return { ...message, rowKey };
  }

  /**
   * One episode's outcome in one transaction: new history events, consumed messages removed, the
   * instance row written. `instanceRow` "create" is an instance's first episode, committed with its
   * start: it fails with an InstanceExistsError, writing nothing, when a row of the instance exists.
   */
  async commitEpisode(record: InstanceRecord, firstSequence: number, events: HistoryEvent[], consumed: string[], instanceRow: "create" | "replace" = "replace"): Promise<void> {
    const rows: TransactionAction[] = [
      ...events.map((e, i): TransactionAction => ["create", { partitionKey: record.instanceId, rowKey: historyRowKey(record.executionId, firstSequence + i), ...packText(JSON.stringify(e)) }]),
      ...consumed.map((rowKey): TransactionAction => ["delete", { partitionKey: record.instanceId, rowKey }]),
    ];
    // Past 100 actions a commit takes several transactions: a create goes first (a conflict then writes nothing), an update last.
    const actions: TransactionAction[] = instanceRow === "create" ? [["create", instanceEntity(record)], ...rows] : [...rows, ["upsert", instanceEntity(record), "Replace"]];
    try {
      await this.#submit(actions);
    } catch (error) {
      if (instanceRow === "create" && (error as { statusCode?: number }).statusCode === 409) throw new InstanceExistsError(record.instanceId);
      throw error;
    }
  }

  /** Deletes an instance's rows (all of them, or only the history of executions other than `keepExecutionId`). */
  async deleteRows(instanceId: string, keepExecutionId?: string): Promise<number> {
    const rowKeys: string[] = [];
    const entities = this.table.listEntities<TableEntity>({ queryOptions: { filter: `PartitionKey eq '${escape(instanceId)}'`, select: ["RowKey"] } });
    for await (const entity of entities) {
      const rowKey = String(entity.rowKey);
      if (keepExecutionId === undefined || (rowKey.startsWith("h:") && !rowKey.startsWith(`h:${keepExecutionId}:`))) rowKeys.push(rowKey);
    }
    await this.#submit(rowKeys.map((rowKey): TransactionAction => ["delete", { partitionKey: instanceId, rowKey }]));
    return rowKeys.length;
  }

  async deleteMessages(instanceId: string, rowKeys: string[]): Promise<void> {
    await this.#submit(rowKeys.map((rowKey): TransactionAction => ["delete", { partitionKey: instanceId, rowKey }]));
  }

  /** Entity-group transactions of at most 100 operations (atomic when the work fits in one). */
  async #submit(actions: TransactionAction[]): Promise<void> {
    for (let i = 0; i < actions.length; i += BATCH_LIMIT) await this.table.submitTransaction(actions.slice(i, i + BATCH_LIMIT));
  }
}

function instanceEntity(record: InstanceRecord): TableEntity {
  return { partitionKey: record.instanceId, rowKey: INSTANCE_ROW, RuntimeStatus: record.runtimeStatus, Name: record.name, CreatedTime: record.createdTime, ...packText(JSON.stringify(record)) };
}

const escape = (value: string) => value.replace(/'/g, "''");

/** Characters Table Storage does not allow in a key; instance ids containing them are refused. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what Table Storage refuses
export const INVALID_INSTANCE_ID = /[/\\#?\u0000-\u001f\u007f-\u009f]/;
