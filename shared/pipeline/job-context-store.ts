import type { RecordStore, StoredRecord, UnitOfWork } from "../dataservice";
import type { TableDefinition } from "../dataservice/metadata/tables";
import type { RawRow } from "../dataservice/store/record-store";
import { isPipelineError, PipelineError } from "../errors";
import { decodeContextJson, encodeTypedContextJson } from "../serialization";
import type { RemoteExecutionContext } from "../model";
import { failureEvent, LOG_EVENTS, structuredLog, type StructuredLog } from "../telemetry/structured-log";

/** Table Storage keeps at most 32K UTF-16 code units in one string property; stay under it. */
const CHUNK_CHARACTERS = 30_000;
/** How many recently read contexts' chunk counts are remembered (bounded: Failed jobs' are never taken back). */
const REMEMBERED_COUNTS = 1_000;
const PREFIX = "asyncoperationcontext";

function chunkRowKey(jobId: string, index: number): string {
  return `${PREFIX}|${jobId}|${String(index).padStart(4, "0")}`;
}

const chunkRowKeys = (jobId: string, count: number) => Array.from({ length: count }, (_, index) => chunkRowKey(jobId, index));

/** Drops a finished job's context (Succeeded, Canceled, deleted). */
export interface JobContextCleaner {
  delete(organization: string, jobId: string): Promise<void>;
}

/**
 * The execution context a system job must deliver, serialized once (JSON that keeps each value's .NET
 * type, `encodeTypedContextJson`: a Guid is read back a Guid, so the job's XML post types it `guid`) and
 * stored beside the job's asyncoperation row in the same partition and the same commit, split into
 * rows `asyncoperationcontext|{jobId}|{chunk}`; the orchestration carries only the job id.
 */
export class JobContextStore implements JobContextCleaner {
  /** `{organization}|{jobId}` → chunk count of contexts read lately: deleting one right after its delivery needs no listing. */
  private readonly chunkCounts = new Map<string, number>();

  constructor(private readonly store: RecordStore) {}

  /** Stages the context's rows in `uow` (committed with the operation, or not at all). */
  stage(uow: UnitOfWork, jobId: string, context: RemoteExecutionContext): void {
    const json = encodeTypedContextJson(context);
    const count = Math.max(1, Math.ceil(json.length / CHUNK_CHARACTERS));
    for (let index = 0; index < count; index++) {
      const data = json.slice(index * CHUNK_CHARACTERS, (index + 1) * CHUNK_CHARACTERS);
      uow.createRow({ partitionKey: uow.partitionKey, rowKey: chunkRowKey(jobId, index), data, chunks: count }, `asyncoperation context ${jobId}`);
    }
  }

  /** The stored JSON text of a job's context (typed form, see `stage`; undefined when the job has none). */
  async readJson(organization: string, jobId: string): Promise<string | undefined> {
    return this.joinAndRemember(organization, jobId, await this.readRows(organization, jobId));
  }

  /**
   * A job's context and, side by side, the record `id` of `table` (e.g. the job's asyncoperation row): two
   * point reads. Not one query with an `or` across row keys: Azure serves that by scanning the whole
   * partition (the organization's every record), not as a range query.
   */
  async readWithRecord(organization: string, jobId: string, table: TableDefinition, id: string): Promise<{ record?: StoredRecord; context?: RemoteExecutionContext }> {
    const [record, rows] = await Promise.all([this.store.read(organization, table, id), this.readRows(organization, jobId)]);
    const json = this.joinAndRemember(organization, jobId, rows);
    return { record, context: json === undefined ? undefined : decodeContextJson(json) };
  }

  /** A job's context, decoded. */
  async read(organization: string, jobId: string): Promise<RemoteExecutionContext | undefined> {
    const json = await this.readJson(organization, jobId);
    return json === undefined ? undefined : decodeContextJson(json);
  }

  /**
   * Deletes a job's context rows in one commit (one round trip when this store read the context, else a
   * point read of its first row first); rows already gone (a second run, a concurrent delete) are no error.
   */
  async delete(organization: string, jobId: string): Promise<void> {
    const rowKeys = this.takeKnownRowKeys(organization, jobId) ?? (await this.storedRowKeys(organization, jobId));
    if (rowKeys.length === 0) return;
    const uow = this.store.beginUnitOfWork(organization);
    stageRowDeletes(uow, jobId, rowKeys);
    await uow.commit().catch((error: unknown) => {
      if (!(isPipelineError(error) && error.code === "NotFound")) throw error;
    });
  }

  /**
   * Stages the deletion of a job's context rows in `uow` (e.g. with the job's Succeeded row: one commit)
   * when this store just read the context and so knows its rows; false when it does not (then `delete`).
   */
  stageDelete(uow: UnitOfWork, jobId: string): boolean {
    const rowKeys = this.takeKnownRowKeys(uow.partitionKey, jobId);
    if (!rowKeys) return false;
    stageRowDeletes(uow, jobId, rowKeys);
    return true;
  }

  /** The row keys of a context this store read lately (forgotten as they are taken: they are about to be deleted). */
  private takeKnownRowKeys(organization: string, jobId: string): string[] | undefined {
    const key = `${organization}|${jobId}`;
    const count = this.chunkCounts.get(key);
    this.chunkCounts.delete(key);
    return count === undefined ? undefined : chunkRowKeys(jobId, count);
  }

  /**
   * The context's first row by a point read (the cheapest Table Storage lookup, and one that Azurite serves by
   * index where it serves a range query by scanning the organization's partition), and how many rows the
   * context has, which that row says (nearly always one).
   */
  private async firstRow(organization: string, jobId: string): Promise<{ first: RawRow; count: number } | undefined> {
    const first = await this.store.readRow(organization, chunkRowKey(jobId, 0));
    if (!first) return undefined;
    const count = Number(first.chunks);
    return { first, count: Number.isInteger(count) && count > 1 ? count : 1 };
  }

  /** The context's rows: the first (see firstRow), then a large context's others in one range query. */
  private async readRows(organization: string, jobId: string): Promise<RawRow[]> {
    const found = await this.firstRow(organization, jobId);
    if (!found) return [];
    if (found.count === 1) return [found.first];
    return [found.first, ...(await this.store.listRows(organization, { from: chunkRowKey(jobId, 1), to: contextRange(jobId).to }))];
  }

  /** The row keys of a context this store has not read, from its first row. */
  private async storedRowKeys(organization: string, jobId: string): Promise<string[]> {
    const found = await this.firstRow(organization, jobId);
    return found ? chunkRowKeys(jobId, found.count) : [];
  }

  /** The context's JSON from its rows; remembers how many there are, for a delete right after. */
  private joinAndRemember(organization: string, jobId: string, rows: RawRow[]): string | undefined {
    const json = joinChunks(jobId, rows);
    if (json !== undefined) this.rememberChunkCount(`${organization}|${jobId}`, rows.length);
    return json;
  }

  private rememberChunkCount(key: string, count: number): void {
    this.chunkCounts.delete(key);
    this.chunkCounts.set(key, count);
    if (this.chunkCounts.size > REMEMBERED_COUNTS) this.chunkCounts.delete(this.chunkCounts.keys().next().value as string);
  }
}

/** Deletes a finished job's context, logging a warning instead of failing: the job's outcome stands either way. */
export async function forgetContext(contexts: JobContextCleaner, reference: { organization: string; jobId: string; correlationId?: string }, log: StructuredLog = structuredLog): Promise<void> {
  await contexts.delete(reference.organization, reference.jobId).catch((error: unknown) => {
    log(
      failureEvent(LOG_EVENTS.jobContextNotDeleted, "warning", error, (cause) => `System job ${reference.jobId}: its stored context was not deleted (${cause}).`, {
        organization: reference.organization,
        jobId: reference.jobId,
        correlationId: reference.correlationId,
      }),
    );
  });
}

function stageRowDeletes(uow: UnitOfWork, jobId: string, rowKeys: string[]): void {
  for (const rowKey of rowKeys) uow.deleteRow(rowKey, "*", `asyncoperation context ${jobId}`);
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
