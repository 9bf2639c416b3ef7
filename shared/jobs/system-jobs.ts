import { odata } from "@azure/data-tables";
import { BUILTIN_TABLES } from "../dataservice/metadata/builtin-tables";
import type { TableDefinition } from "../dataservice/metadata/tables";
import type { RecordStore } from "../dataservice/store/record-store";
import type { UnitOfWork } from "../dataservice/store/unit-of-work";
import type { ColumnValues, StoredRecord } from "../dataservice/store/records";
import { recordRowKey } from "../dataservice/store/row-codec";
import { isPipelineError } from "../errors";
import { JobState } from "./job-states";
import { dateTimeText } from "../dataservice/metadata/edm";

/** Which system job: the orchestration's input (never the context itself). */
export interface JobReference {
  organization: string;
  jobId: string;
}

function builtinTable(logicalName: string): TableDefinition {
  const table = BUILTIN_TABLES.find((candidate) => candidate.logicalName === logicalName);
  if (!table) throw new Error(`no built-in table ${logicalName}`);
  return table;
}

export const ASYNC_OPERATION_TABLE = builtinTable("asyncoperation");

/** Attempts of a conditional update that lost a race with another writer (a user's cancel, a second activity run). */
const UPDATE_ATTEMPTS = 5;

/**
 * A system job's asyncoperation row, as the asynchronous service reads and writes it (its step and the
 * step's handler come from the registration cache).
 * Every update is conditional on the row's version, so a user's cancel and an activity never overwrite each other.
 */
export class SystemJobStore {
  constructor(readonly store: RecordStore) {}

  read(reference: JobReference): Promise<StoredRecord | undefined> {
    return this.store.read(reference.organization, ASYNC_OPERATION_TABLE, reference.jobId);
  }

  /**
   * Applies `change` to the job's current row (`known`: the row as last read or written, tried first) and writes it if the row did not change meanwhile
   * (else reads and tries again). `change` returns undefined to leave the row as it is. `alongside` adds
   * changes of other rows of the partition to the same commit (each try), e.g. deleting the job's stored context.
   * @returns the row as written (or as found), undefined when the job no longer exists.
   */
  async update(
    reference: JobReference,
    change: (current: ColumnValues) => ColumnValues | undefined,
    known?: StoredRecord,
    alongside?: (uow: UnitOfWork) => void,
  ): Promise<StoredRecord | undefined> {
    for (let attempt = 1; ; attempt++) {
      // A row this activity wrote itself is tried as it is: one round trip instead of two when nobody changed it.
      const current = attempt === 1 && known ? known : await this.read(reference);
      if (!current) return undefined;
      const changes = change(current.values);
      if (!changes) return current;
      const values = { ...current.values, ...changes, modifiedon: dateTimeText() };
      const uow = this.store.beginUnitOfWork(reference.organization);
      uow.replace(ASYNC_OPERATION_TABLE, reference.jobId, values, current.etag);
      alongside?.(uow);
      try {
        const etags = await uow.commit();
        return { ...current, values, etag: etags.get(recordRowKey(ASYNC_OPERATION_TABLE.logicalName, reference.jobId)) ?? "" };
      } catch (error) {
        const lostRace = isPipelineError(error) && (error.code === "ConcurrencyConflict" || error.code === "NotFound");
        if (!lostRace || attempt >= UPDATE_ATTEMPTS) throw error;
      }
    }
  }

  /** Deletes the job's row if it did not change since `known` (else as read now). */
  async delete(reference: JobReference, known?: StoredRecord): Promise<void> {
    const current = known ?? (await this.read(reference));
    if (!current) return;
    const uow = this.store.beginUnitOfWork(reference.organization);
    uow.delete(ASYNC_OPERATION_TABLE, reference.jobId, current.etag);
    await uow.commit().catch((error: unknown) => {
      if (!(isPipelineError(error) && (error.code === "NotFound" || error.code === "ConcurrencyConflict"))) throw error;
    });
  }

  /**
   * Jobs not yet completed (Ready, Suspended, Locked) of one organization (none before the records table exists);
   * with `writtenBefore`, only those whose row storage last wrote before it (its Timestamp).
   */
  async listOpen(organization: string, writtenBefore?: Date): Promise<StoredRecord[]> {
    const open = `statecode lt ${JobState.Completed}`;
    try {
      return await this.store.list(organization, ASYNC_OPERATION_TABLE, writtenBefore ? `${open} and ${odata`Timestamp lt ${writtenBefore}`}` : open);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return [];
      throw error;
    }
  }
}

