import type { RecordStore, UnitOfWork } from "../dataservice";
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
    const rows = await this.store.listRows(organization, { from: `${PREFIX}|${jobId}|`, to: `${PREFIX}|${jobId}}` });
    if (rows.length === 0) return undefined;
    if (rows.length !== Number(rows[0].chunks)) {
      throw new PipelineError("Internal", `The stored context of system job ${jobId} is incomplete (${rows.length} of ${String(rows[0].chunks)} parts).`);
    }
    return rows.map((row) => String(row.data)).join("");
  }

  /** A job's context, decoded. */
  async read(organization: string, jobId: string): Promise<RemoteExecutionContext | undefined> {
    const json = await this.readJson(organization, jobId);
    return json === undefined ? undefined : decodeContextJson(json);
  }
}
