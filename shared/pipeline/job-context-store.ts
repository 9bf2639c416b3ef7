import type { RecordStore, StoredRecord, UnitOfWork } from "../dataservice";
import type { TableDefinition } from "../dataservice/metadata/tables";
import type { RawRow } from "../dataservice/store/record-store";
import { decodeRecord, recordRowKey } from "../dataservice/store/row-codec";
import { PipelineError } from "../errors";
import { decodeContextJson, encodeContextJson } from "../serialization";
import type { RemoteExecutionContext } from "../model";

/** Table Storage keeps at most 32K UTF-16 code units in one string property; stay under it. */
const CHUNK_CHARACTERS = 30_000;
const PREFIX = "asyncoperationcontext";

function chunkRowKey(jobId: string, index: number): string {
  return `${PREFIX}|${jobId}|${String(index).padStart(4, "0")}`;
}

/**
 * The execution context a system job must deliver, serialized once (JSON, as Dataverse posts it) and
 * stored beside the job's asyncoperation row in the same partition and the same commit, split into
 * rows `asyncoperationcontext|{jobId}|{chunk}`; the orchestration carries only the job id.
 */
export class JobContextStore {
  constructor(private readonly store: RecordStore) {}

  /** Stages the context's rows in `uow` (committed with the operation, or not at all). */
  stage(uow: UnitOfWork, jobId: string, context: RemoteExecutionContext): void {
    const json = encodeContextJson(context);
    const count = Math.max(1, Math.ceil(json.length / CHUNK_CHARACTERS));
    for (let index = 0; index < count; index++) {
      const data = json.slice(index * CHUNK_CHARACTERS, (index + 1) * CHUNK_CHARACTERS);
      uow.createRow({ partitionKey: uow.partitionKey, rowKey: chunkRowKey(jobId, index), data, chunks: count }, `asyncoperation context ${jobId}`);
    }
  }

  /** The stored JSON text of a job's context (undefined when the job has none). */
  async readJson(organization: string, jobId: string): Promise<string | undefined> {
    return joinChunks(jobId, await this.store.listRows(organization, contextRange(jobId)));
  }

  /** A job's context and, in the same query, the record `id` of `table` (e.g. the job's asyncoperation row). */
  async readWithRecord(organization: string, jobId: string, table: TableDefinition, id: string): Promise<{ record?: StoredRecord; context?: RemoteExecutionContext }> {
    const recordKey = recordRowKey(table.logicalName, id);
    const rows = await this.store.queryRows(organization, { rowKeys: [recordKey], ranges: [contextRange(jobId)] });
    const recordRow = rows.find((row) => row.rowKey === recordKey);
    const json = joinChunks(jobId, rows.filter((row) => row !== recordRow));
    return { record: recordRow && decodeRecord(table, recordRow), context: json === undefined ? undefined : decodeContextJson(json) };
  }

  /** A job's context, decoded. */
  async read(organization: string, jobId: string): Promise<RemoteExecutionContext | undefined> {
    const json = await this.readJson(organization, jobId);
    return json === undefined ? undefined : decodeContextJson(json);
  }
}

function contextRange(jobId: string): { from: string; to: string } {
  return { from: `${PREFIX}|${jobId}|`, to: `${PREFIX}|${jobId}}` };
}

/** The context's JSON from its rows (in row-key order); undefined when there are none. */
function joinChunks(jobId: string, rows: RawRow[]): string | undefined {
  if (rows.length === 0) return undefined;
  if (rows.length !== Number(rows[0].chunks)) {
    throw new PipelineError("Internal", `The stored context of system job ${jobId} is incomplete (${rows.length} of ${String(rows[0].chunks)} parts).`);
  }
  return rows.map((row) => String(row.data)).join("");
}
