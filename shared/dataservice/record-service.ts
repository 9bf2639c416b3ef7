import { randomUUID } from "node:crypto";
import { DATAVERSE_SPECIFIC_CODES, PipelineError, isPipelineError } from "../errors";
import type { ColumnSet, QueryExpression } from "../model";
import { cascadedDeletes, type CascadedRow } from "./cascade-delete";
import { isLookupType } from "./metadata/columns";
import type { TableDefinition } from "./metadata/tables";
import { findColumn } from "./metadata/tables";
import { columnValidationError } from "./metadata/validate";
import { CONTEXT_TABLES, cachedRow, type OrganizationContext, type OrganizationDirectory } from "./organizations/organization-context";
import type { Page, PageRequest, PageToken } from "./query/query";
import { columnsOf, compileQuery, projectRecord, runQuery, type CompiledQuery } from "./query/query-expression";
import { authorizeRecordMessage, type Caller } from "./security/caller";
import type { RecordStore } from "./store/record-store";
import type { UnitOfWork } from "./store/unit-of-work";
import { isLookupValue, type ColumnValues, type LookupValue, type StoredRecord } from "./store/records";
import { recordRowKey } from "./store/row-codec";
import { dateTimeText } from "./metadata/edm";
import { stampSystemColumns, type RowWriter } from "./metadata/system-columns";

/** Who asks and in which organization: every operation takes one. */
export interface RequestScope {
  organization: OrganizationContext;
  caller: Caller;
  /** The request's optional `tag` parameter: plug-ins see it as the shared variable `tag`. */
  tag?: string;
  /** The caller's User-Agent header: the pipeline's InitiatingUserAgent. */
  userAgent?: string;
}

/**
 * Where a write goes: by default each call commits its own unit of work; a caller that passes one
 * (the pipeline, adding plug-ins' changes and system jobs) commits it itself, once, after all stages.
 * Writes staged in a caller's unit return an empty etag until that commit.
 */
export interface WriteOptions {
  unitOfWork?: UnitOfWork;
  /** The row as the caller already read it (the pipeline, for a pre-image): update and delete do not read it again. */
  current?: StoredRecord;
}

/** What a write hook's `prepare` is told: the request's unit of work, and whether the row is new or changes. */
export interface PrepareOptions extends Pick<WriteOptions, "unitOfWork"> {
  write: "create" | "update";
}

/**
 * Rules another part (the pipeline) adds to the write path of some tables: `prepare` may refuse a create
 * or update with a 400 before anything is staged, or fill in columns it derives (`row` is the row as it
 * will be stored; its reads go through `options.unitOfWork`, so they see the rows the request staged); `changed` runs once a unit of work that changed one of `tables` was committed (or
 * failed), e.g. to drop a cache.
 */
export interface RecordWriteHook {
  readonly tables: ReadonlySet<string>;
  prepare?(scope: RequestScope, table: TableDefinition, row: ColumnValues, options: PrepareOptions): Promise<void>;
  changed?(organization: string): void;
  /**
   * A table's own rule for updates (which system-job changes a user may make): the columns to write
   * instead of `changes`, or a PipelineError (nothing written); `afterCommit` runs once committed.
   */
  update?(organization: string, current: StoredRecord, changes: ColumnValues): { values: ColumnValues; afterCommit?: () => Promise<void> };
  /** Throws a PipelineError when the table's rows may not be created through this service. */
  create?(organization: string, values: ColumnValues): void;
  /** Runs once a delete of one of `tables` is committed. */
  afterDelete?(organization: string, deleted: StoredRecord): Promise<void>;
}

/**
 * The record operations the Web API calls: the RecordService itself, or the pipeline around it. `read`
 * is a plain read (no message, no privilege check): whether a row exists, e.g. to decide an upsert.
 */
export type RecordOperations = Pick<RecordService, "create" | "retrieve" | "retrieveMultiple" | "update" | "delete" | "lookupNames" | "read">;

/** A data service's own record operations (no pipeline in front): each message's privilege check, then the records. */
export function authorizedRecordOperations(records: RecordService): RecordOperations {
  return {
    create: (scope, table, values, options) => {
      authorizeRecordMessage(scope.caller, "Create", table);
      return records.create(scope, table, values, options);
    },
    retrieve: (scope, table, id, options) => {
      authorizeRecordMessage(scope.caller, "Retrieve", table);
      return records.retrieve(scope, table, id, { columnSet: options?.columnSet });
    },
    retrieveMultiple: (scope, table, query, page) => {
      authorizeRecordMessage(scope.caller, "RetrieveMultiple", table);
      return records.retrieveMultiple(scope, table, query, page);
    },
    update: (scope, table, id, values, ifMatch, options) => {
      authorizeRecordMessage(scope.caller, "Update", table, values.ownerid !== undefined);
      return records.update(scope, table, id, values, ifMatch, options);
    },
    delete: (scope, table, id, ifMatch, options) => {
      authorizeRecordMessage(scope.caller, "Delete", table);
      return records.delete(scope, table, id, ifMatch, options);
    },
    lookupNames: (scope, lookups) => records.lookupNames(scope, lookups),
    read: (scope, table, id) => records.read(scope, table, id),
  };
}

export interface RetrieveOptions extends Pick<WriteOptions, "unitOfWork"> {
  /** Retrieve's ColumnSet: the columns to return (none: all). */
  columnSet?: ColumnSet;
}

/**
 * Attempts of a write that asked for no version (no If-Match, or `*`) and lost a race with another write
 * of its row: last writer wins, as in Dataverse, where the second write waits for the first.
 */
export const LOST_RACE_ATTEMPTS = 3;

/** An If-Match that names a version (optimistic concurrency: a stale one is a 412); `*` asks only that the row exist. */
export const asksForVersion = (ifMatch: string | undefined): ifMatch is string => ifMatch !== undefined && ifMatch !== "*";

export function notFound(table: TableDefinition, id: string): PipelineError {
  return new PipelineError("NotFound", `${table.logicalName} With Id = ${id} Does Not Exist`, { dataverseCode: DATAVERSE_SPECIFIC_CODES.ObjectDoesNotExist });
}

/**
 * Create, Retrieve, RetrieveMultiple, Update and Delete on an organization's records, independent of
 * HTTP: privilege checks, system columns, lookup checks, and one storage commit per write.
 * Round trips: Create 1 (+1 per lookup to a row outside the cached users), Retrieve 1, Update 2, Delete 2 (+1 query per relationship the delete cascades along: `cascade-delete.ts`).
 */
export class RecordService {
  constructor(
    private readonly store: RecordStore,
    private readonly directory: OrganizationDirectory,
    private readonly clock: () => Date = () => new Date(),
    private readonly hooks: readonly RecordWriteHook[] = [],
  ) {}

  private ruleFor(table: TableDefinition): RecordWriteHook | undefined {
    return this.hooks.find((hook) => (hook.create || hook.update || hook.afterDelete) && hook.tables.has(table.logicalName));
  }

  async create(scope: RequestScope, table: TableDefinition, values: ColumnValues, options: WriteOptions = {}): Promise<StoredRecord> {
    this.ruleFor(table)?.create?.(scope.organization.name, values);
    const id = typeof values[table.primaryIdAttribute] === "string" ? String(values[table.primaryIdAttribute]) : randomUUID();
    const row = stampSystemColumns(table, { ...defaultsOf(table), ...values }, this.writer(scope), { kind: "create" });
    row[table.primaryIdAttribute] = id;
    deriveColumns(table, row, values);
    await this.checkLookups(scope, table, values, options);
    await this.prepareWithHooks(scope, table, row, options, "create");
    const etag = await this.write(scope, table, id, options, (uow) => uow.create(table, id, row));
    return { table: table.logicalName, id, values: withNulls(table, row), etag, setColumns: Object.keys(row) };
  }

  /** The row with the columns `columnSet` names (and its key); every column without one or for AllColumns. */
  async retrieve(scope: RequestScope, table: TableDefinition, id: string, options: RetrieveOptions = {}): Promise<StoredRecord> {
    const columns = options.columnSet && columnsOf(table, options.columnSet);
    const record = await this.read(scope, table, id, options);
    if (!record) throw notFound(table, id);
    return columns ? projectRecord(table, record, columns) : record;
  }

  /** The row as the caller's unit of work leaves it (its creates and updates; its deletes as none), else as stored; undefined when there is none. */
  async read(scope: RequestScope, table: TableDefinition, id: string, options: Pick<WriteOptions, "unitOfWork"> = {}): Promise<StoredRecord | undefined> {
    return this.readCurrent(scope, table, id, options.unitOfWork);
  }

  /** `known`: the stored row as the caller already read it (used unless the unit of work staged a change of it). */
  private async readCurrent(scope: RequestScope, table: TableDefinition, id: string, unitOfWork?: UnitOfWork, known?: StoredRecord): Promise<StoredRecord | undefined> {
    if (known && !unitOfWork?.stagedRecord(table, id)) return known;
    const record = await this.store.read(scope.organization.name, table, id, unitOfWork);
    return record && { ...record, values: withNulls(table, record.values) };
  }

  /**
   * One page of the rows a QueryExpression asks for, with its ColumnSet's columns. Without Orders and
   * ReturnTotalRecordCount the rows are read in id order only until the page is full (the token remembers
   * the last id); otherwise every row is read, ordered, and the token is an offset into the ordered
   * result. When the caller's unit of work staged rows of the table, every row is read and merged with
   * them, then filtered, ordered and paged in memory (offset tokens).
   */
  async retrieveMultiple(scope: RequestScope, table: TableDefinition, expression: QueryExpression, page: PageRequest, options: Pick<WriteOptions, "unitOfWork"> = {}): Promise<Page> {
    const query = compileQuery(table, expression);
    const found = await this.findPage(scope, table, query, page, options);
    return { ...found, records: found.records.map((record) => projectRecord(table, record, query.columns)) };
  }

  private async findPage(scope: RequestScope, table: TableDefinition, query: CompiledQuery, page: PageRequest, options: Pick<WriteOptions, "unitOfWork">): Promise<Page> {
    const token = page.token;
    const overlay = options.unitOfWork?.overlay(table);
    if (!overlay && query.orderBy.length === 0 && !query.count && (token === undefined || "after" in token)) {
      return this.scanPage(scope, table, query, page.size, token);
    }
    const offset = token && "offset" in token ? token.offset : 0;
    const stored = await this.store.list(scope.organization.name, table, query.storageFilter);
    const matching = runQuery({ ...query, top: undefined }, overlay ? withStaged(table, overlay(stored), token) : stored);
    const top = query.top === undefined ? undefined : query.top - (token && "after" in token ? token.taken : 0);
    const limited = top === undefined ? matching : matching.slice(0, top);
    return {
      records: limited.slice(offset, offset + page.size),
      total: query.count ? matching.length : undefined,
      next: offset + page.size < limited.length ? { offset: offset + page.size } : undefined,
    };
  }

  private async scanPage(scope: RequestScope, table: TableDefinition, query: CompiledQuery, size: number, token?: { after: string; taken: number }): Promise<Page> {
    const taken = token?.taken ?? 0;
    const limit = query.top === undefined ? size : Math.min(size, query.top - taken);
    const records: StoredRecord[] = [];
    let more = false;
    if (limit > 0) {
      for await (const record of this.store.scan(scope.organization.name, table, token?.after, query.storageFilter)) {
        if (query.filter && !query.filter(record)) continue;
        if (records.length === limit) {
          more = true;
          break;
        }
        records.push(record);
      }
    }
    const last = records.at(-1);
    const reachedTop = query.top !== undefined && taken + records.length >= query.top;
    return { records, next: more && !reachedTop && last ? { after: last.id, taken: taken + records.length } : undefined };
  }

  /** Updates an existing row; with `ifMatch` only if it is still at that version (else 412). */
  async update(scope: RequestScope, table: TableDefinition, id: string, values: ColumnValues, ifMatch?: string, options: WriteOptions = {}): Promise<StoredRecord> {
    await this.checkLookups(scope, table, values, options);
    for (let attempt = 1; ; attempt++) {
      const current = await this.readCurrent(scope, table, id, options.unitOfWork, attempt === 1 ? options.current : undefined);
      if (!current) throw notFound(table, id);
      if (asksForVersion(ifMatch) && ifMatch !== current.etag) throw staleVersion();
      const ruled = this.ruleFor(table)?.update?.(scope.organization.name, current, values);
      const written = ruled?.values ?? values;
      const { row, setColumns } = assignmentsTracked({ ...current.values });
      Object.assign(row, written);
      stampSystemColumns(table, row, this.writer(scope), { kind: "update", written });
      deriveColumns(table, row, written);
      await this.prepareWithHooks(scope, table, row, options, "update");
      const updated = { ...row };
      try {
        const etag = await this.write(scope, table, id, options, (uow) => uow.replace(table, id, updated, current.etag));
        await this.afterCommit(options, ruled?.afterCommit);
        return { table: table.logicalName, id, values: updated, etag, setColumns: [...setColumns] };
      } catch (error) {
        const lostRace = isPipelineError(error) && error.code === "ConcurrencyConflict";
        if (!lostRace || asksForVersion(ifMatch) || options.unitOfWork || attempt >= LOST_RACE_ATTEMPTS) throw error;
      }
    }
  }

  /** Deletes a row and, in the same commit, the rows its relationships cascade the delete to (`cascadeDelete`). */
  async delete(scope: RequestScope, table: TableDefinition, id: string, ifMatch?: string, options: WriteOptions = {}): Promise<void> {
    const current = await this.readCurrent(scope, table, id, options.unitOfWork, options.current);
    if (!current) throw notFound(table, id);
    if (asksForVersion(ifMatch) && ifMatch !== current.etag) throw staleVersion();
    const deleted: CascadedRow[] = [{ table, record: current }, ...(await cascadedDeletes(this.store, scope.organization, table, id, options.unitOfWork))];
    const stage = (uow: UnitOfWork) => deleted.forEach((row) => uow.delete(row.table, row.record.id, row.record.etag));
    await this.write(scope, table, id, options, stage, deleted.map((row) => row.table));
    const followUps = deleted.flatMap(({ table: rowTable, record }) => {
      const rule = this.ruleFor(rowTable);
      return rule?.afterDelete ? [() => rule.afterDelete!(scope.organization.name, record)] : [];
    });
    await this.afterCommit(options, followUps.length > 0 ? () => Promise.all(followUps.map((followUp) => followUp())).then(() => undefined) : undefined);
  }

  /** Runs a rule's follow-up once the write is committed (at once, or when the caller's unit commits; never when its commit fails). */
  private async afterCommit(options: WriteOptions, action: (() => Promise<void>) | undefined): Promise<void> {
    if (!action) return;
    if (options.unitOfWork) options.unitOfWork.whenSucceeded(() => void action().catch(() => undefined));
    else await action();
  }

  /** The primary names of the rows some lookups point at (for formatted values), read in parallel; users and business units from the cached context. */
  async lookupNames(scope: RequestScope, lookups: LookupValue[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const distinct = [...new Map(lookups.map((lookup) => [lookup.id, lookup])).values()];
    await Promise.all(
      distinct.map(async (lookup) => {
        const table = scope.organization.catalog.table(lookup.logicalName);
        if (!table) return;
        const record = cachedRow(scope.organization, lookup) ?? (await this.store.read(scope.organization.name, table, lookup.id));
        const name = record?.values[table.primaryNameAttribute];
        if (typeof name === "string") names.set(lookup.id, name);
      }),
    );
    return names;
  }

  /**
   * Stages a change in the caller's unit of work, or commits it in one of its own; returns `table`'s row's new
   * etag. `touched`: every table whose rows `stage` changes (default: `table`), for the caches built on them.
   */
  private async write(scope: RequestScope, table: TableDefinition, id: string, options: WriteOptions, stage: (uow: UnitOfWork) => void, touched: readonly TableDefinition[] = [table]): Promise<string> {
    const uow = options.unitOfWork ?? this.store.beginUnitOfWork(scope.organization.name);
    if (uow.partitionKey !== scope.organization.name) throw new PipelineError("Internal", "A unit of work belongs to one organization.");
    stage(uow);
    const names = new Set(touched.map((each) => each.logicalName));
    if ([...names].some((name) => CONTEXT_TABLES.has(name))) uow.whenCommitted(() => this.directory.invalidate(scope.organization.name));
    for (const hook of this.hooks) {
      if (hook.changed && [...names].some((name) => hook.tables.has(name))) uow.whenCommitted(() => hook.changed?.(scope.organization.name));
    }
    if (options.unitOfWork) return "";
    const etags = await uow.commit();
    return etags.get(recordRowKey(table.logicalName, id)) ?? "";
  }

  private async prepareWithHooks(scope: RequestScope, table: TableDefinition, row: ColumnValues, options: WriteOptions, write: PrepareOptions["write"]): Promise<void> {
    for (const hook of this.hooks) {
      if (hook.prepare && hook.tables.has(table.logicalName)) await hook.prepare(scope, table, row, { unitOfWork: options.unitOfWork, write });
    }
  }

  /** A lookup to a row that does not exist is a 400 naming the column; nothing is written. */
  private async checkLookups(scope: RequestScope, table: TableDefinition, values: ColumnValues, options: WriteOptions): Promise<void> {
    const checks = table.columns
      .filter((column) => isLookupType(column.type) && isLookupValue(values[column.logicalName]))
      .map(async (column) => {
        const lookup = values[column.logicalName] as LookupValue;
        const target = scope.organization.catalog.table(lookup.logicalName);
        const staged = target && options.unitOfWork?.stagedRecord(target, lookup.id);
        const exists = staged
          ? !staged.deleted
          : lookup.logicalName === "systemuser" && scope.organization.users.has(lookup.id)
            ? true
            : target !== undefined && (await this.store.readRow(scope.organization.name, recordRowKey(lookup.logicalName, lookup.id))) !== undefined;
        if (!exists) {
          throw new PipelineError("ValidationFailed", `${column.logicalName}: ${lookup.logicalName} With Id = ${lookup.id} Does Not Exist`, {
            path: column.logicalName,
            dataverseCode: DATAVERSE_SPECIFIC_CODES.ObjectDoesNotExist,
          });
        }
      });
    await Promise.all(checks);
  }

  private writer(scope: RequestScope): RowWriter {
    const { userId, initiatingUserId } = scope.caller;
    return { userId, at: dateTimeText(this.clock()), users: scope.organization.users, ...(initiatingUserId && initiatingUserId !== userId && { onBehalfOf: initiatingUserId }) };
  }
}

function staleVersion(): PipelineError {
  return new PipelineError("ConcurrencyConflict", "The version of the existing record doesn't match the RowVersion property provided.");
}

/** statecode 0 and its default status, for tables with a state model. */
function defaultsOf(table: TableDefinition): ColumnValues {
  const state = findColumn(table, "statecode");
  const initial = state?.options?.[0];
  return initial ? { statecode: initial.value, statuscode: initial.defaultStatus ?? null } : {};
}

/** A status must belong to its state; setting only the state picks that state's default status. */
function applyStateModel(table: TableDefinition, row: ColumnValues, written: ColumnValues): void {
  const state = findColumn(table, "statecode");
  const status = findColumn(table, "statuscode");
  if (!state || !status) return;
  if ("statecode" in written && !("statuscode" in written)) {
    row.statuscode = state.options?.find((option) => option.value === row.statecode)?.defaultStatus ?? null;
  }
  const belongsTo = status.options?.find((option) => option.value === row.statuscode)?.state;
  if (row.statuscode !== null && row.statuscode !== undefined && belongsTo !== undefined && belongsTo !== row.statecode) {
    throw columnValidationError(table, status, `The statuscode ${String(row.statuscode)} is not valid for statecode ${String(row.statecode)} of '${table.logicalName}'.`);
  }
}

/**
 * Columns the service fills from others, as the table's metadata declares: composed columns, and the
 * is<column>set flag of a write-only secret (a boolean column of that name): whether the row holds one,
 * so false, not null, on a row created without it.
 */
function deriveColumns(table: TableDefinition, row: ColumnValues, written: ColumnValues): void {
  applyStateModel(table, row, written);
  for (const column of table.columns) {
    const parts = column.composedOf;
    if (parts && !(column.logicalName in written) && parts.some((part) => part in written)) {
      row[column.logicalName] = parts.map((part) => row[part]).filter((text) => typeof text === "string" && text !== "").join(" ") || null;
    }
    const flag = `is${column.logicalName}set`;
    if (!column.writeOnly || !findColumn(table, flag)) continue;
    const isSet = row[column.logicalName] !== null && row[column.logicalName] !== undefined;
    // Assigned only when it changes: an update's set columns (what a post-operation Target lists) are the ones it changed.
    if (row[flag] !== isSet) row[flag] = isSet;
  }
}

/** A row whose assignments are remembered: which columns an update set (the caller's, stamped, derived, a hook's). */
function assignmentsTracked(values: ColumnValues): { row: ColumnValues; setColumns: Set<string> } {
  const setColumns = new Set<string>();
  const row = new Proxy(values, {
    set(target, name, value) {
      if (typeof name === "string") setColumns.add(name);
      return Reflect.set(target, name, value);
    },
  });
  return { row, setColumns };
}

/**
 * Stored rows with the unit of work's staged rows merged in (`UnitOfWork.overlay`), every column present
 * for the in-memory filter. A scan's `after` token (from a page read before the rows were staged) goes on
 * after that id.
 */
function withStaged(table: TableDefinition, overlaid: StoredRecord[], token: PageToken | undefined): StoredRecord[] {
  const rows = overlaid.map((record) => ({ ...record, values: withNulls(table, record.values) }));
  return token && "after" in token ? rows.filter((record) => record.id > token.after) : rows;
}

function withNulls(table: TableDefinition, row: ColumnValues): ColumnValues {
  return Object.fromEntries(table.columns.map((column) => [column.logicalName, row[column.logicalName] ?? null]));
}
