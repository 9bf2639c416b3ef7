import { randomUUID } from "node:crypto";
import {
  callerForUser,
  entityToValues,
  recordRowKey,
  recordToEntity,
  authorizeRecordMessage,
  isLookupType,
  isLookupValue,
  type ColumnValues,
  type OrganizationContext,
  type Page,
  type PageRequest,
  type RecordService,
  type RecordStore,
  type RequestScope,
  type StoredRecord,
  type TableDefinition,
  type UnitOfWork,
  showPage,
  asksForVersion,
  LOST_RACE_ATTEMPTS,
} from "../dataservice";
import { isPipelineError, markCorrelation, PipelineError } from "../errors";
import { EMPTY_GUID, Entity, EntityCollection, EntityReference, ExecutionMode, GuidValue, Stage, allColumns, type ColumnSet, type QueryExpression, type RemoteExecutionContext } from "../model";
import type { SystemJobs } from "./system-jobs";
import { Operation, type OperationOrigin } from "./operation";
import { StepOrganizationServiceFactory } from "./organization-service";
import { jobsNotStartedEvent, type JobDispatcher } from "./ports";
import { failureEvent, LOG_EVENTS, structuredLog } from "../telemetry/structured-log";
import { ImageType, type RegistrationCache, type Registrations, type StepRegistration } from "./registrations";
import { TimeLimit, type StepRunner } from "./step-runner";
import { TraceLog } from "./trace-log";
import { entityToRecordValues, keyValue, valuesToEntity, writeOnlyValues } from "./entity-values";
import { columnSetParameter, queryParameter } from "./query-parameters";
import { postOperationTarget } from "./post-operation-target";

/** Depth at which a chain of plug-in calls counts as an infinite loop (§C). */
export const MAX_DEPTH = 8;
export const INFINITE_LOOP_MESSAGE =
  "This workflow job was canceled because the workflow that started it included an infinite loop. Correct the workflow logic and try again.";

/** The time window in which depth accumulates on one correlation (§C). */
const CORRELATION_WINDOW_MS = 60 * 60_000;

/** One request to run through the pipeline. Create/Update carry `values` (Web API) or `entity` (a plug-in). */
export type MessageRequest =
  | { message: "Create"; table: TableDefinition; values?: ColumnValues; entity?: Entity }
  | { message: "Update"; table: TableDefinition; id: string; values?: ColumnValues; entity?: Entity; ifMatch?: string; current?: StoredRecord }
  | { message: "Delete"; table: TableDefinition; id: string; ifMatch?: string }
  | { message: "Retrieve"; table: TableDefinition; id: string; columnSet?: ColumnSet }
  | { message: "RetrieveMultiple"; table: TableDefinition; query: QueryExpression; page: PageRequest };

export interface MessageResult {
  record?: StoredRecord;
  page?: Page;
}

export const NO_ACTIVE_TRANSACTION =
  "There is no active transaction. This error is usually caused by custom plug-ins that ignore errors from service calls and continue processing.";

/**
 * A request's unit of work, shared by its nested calls, with the system jobs staged in it. A nested call
 * that fails aborts it (its partial changes are staged): a plug-in that catches that error cannot commit.
 */
export class Transaction {
  readonly jobIds: string[] = [];
  aborted = false;
  constructor(readonly unitOfWork: UnitOfWork) {}

  ensureActive(): void {
    if (this.aborted) throw new PipelineError("PluginUnexpected", NO_ACTIVE_TRANSACTION);
  }
}

/** An operation's place in a chain of calls. */
export interface Execution extends OperationOrigin {
  registrations: Registrations;
  trace: TraceLog;
  /** The caller's transaction (a nested call from a step inside one); none: this operation opens its own. */
  transaction?: Transaction;
}


export interface EventPipelineParts {
  records: RecordService;
  store: RecordStore;
  registrations: RegistrationCache;
  runner: StepRunner;
  jobs: SystemJobs;
  dispatcher: JobDispatcher;
}

/**
 * The event execution pipeline (§B, §C): pre-validation (10, outside the transaction of a request
 * from outside) → privilege check → pre-operation (20) → main operation (30) → post-operation (40) →
 * one commit of the operation's changes, every nested call's changes and one asyncoperation row (with
 * its context) per asynchronous step. Any failure before the commit leaves nothing behind.
 */
export class EventPipeline {
  constructor(private readonly parts: EventPipelineParts) {}

  /** A request from outside (the Web API): depth 1, a new correlation; the trace log written at the end. */
  async executeRequest(scope: RequestScope, request: MessageRequest): Promise<MessageResult> {
    const correlationId = randomUUID();
    try {
      const registrations = await this.parts.registrations.get(scope.organization);
      const trace = new TraceLog(registrations.traceLogSetting);
      const execution: Execution = { organization: scope.organization, caller: scope.caller, correlationId, depth: 1, parentContext: null, registrations, trace, tag: scope.tag, initiatingUserAgent: scope.userAgent };
      try {
        return await this.execute(execution, request);
      } finally {
        await this.writeTrace(trace, scope.organization, correlationId);
      }
    } catch (error) {
      // The Web API's log of a failed request names its correlation, as the request's system jobs and posts do.
      markCorrelation(error, correlationId);
      throw error;
    }
  }

  /**
   * Runs an operation that commits on its own (a request from outside, a plug-in's call outside any
   * transaction); one that asked for no version (no If-Match, or `*`) and whose commit lost a race with
   * another write of a row it changes runs again, from pre-validation, on the rows as they are now: last
   * writer wins, as in Dataverse (where the second write waits for the first), and neither loses the other's
   * columns. A version asked for and found stale is the caller's 412.
   */
  private async executeUntilCommitted(execution: Execution, request: MessageRequest): Promise<MessageResult> {
    // A plug-in's Target as it passed it: the steps of a first run may change the Entity itself.
    const sent = "entity" in request && request.entity ? copyEntity(request.entity) : undefined;
    for (let attempt = 1; ; attempt++) {
      const attempted = attempt === 1 ? request : again(request, sent);
      try {
        return await this.executeOnce(execution, attempted);
      } catch (error) {
        // Only this run's own commit: a conflict a step's own call lost (and gave up on) is that step's failure.
        const lostRace = LOST_COMMIT_RACES.get(error as object) === attempted;
        if (!lostRace || !asksForNoVersion(request) || attempt >= LOST_RACE_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Runs an asynchronous step's event handler with the context its system job stored (for the
   * asynchronous service): a plug-in gets an organization service one level deeper on the same
   * correlation, outside any transaction (each of its calls commits on its own); a service-endpoint step
   * posts through the notification service. Depth counts only within an hour of the correlation's last
   * update (the job's `correlationupdatedtime`), as in Dataverse.
   * @throws PipelineError as a synchronous step would (PluginCancelled carries the plug-in's error, with
   * its OperationStatus, as `cause`); NotFound when the step is no longer registered or enabled.
   */
  async runJob(organization: OrganizationContext, context: RemoteExecutionContext, correlationUpdatedAt?: Date): Promise<void> {
    const registrations = await this.parts.registrations.get(organization);
    const step = context.owningExtension && registrations.step(context.owningExtension.id);
    if (!step) throw new PipelineError("NotFound", `sdkmessageprocessingstep With Id = ${context.owningExtension?.id ?? ""} Does Not Exist or is disabled`);
    const stale = correlationUpdatedAt !== undefined && Date.now() - correlationUpdatedAt.getTime() > CORRELATION_WINDOW_MS;
    const trace = new TraceLog(registrations.traceLogSetting);
    const execution: Execution = {
      organization,
      caller: callerForUser(organization, context.userId, context.initiatingUserId),
      correlationId: context.correlationId,
      depth: (stale ? 1 : context.depth) + 1,
      parentContext: context,
      registrations,
      trace,
      initiatingUserAgent: context.initiatingUserAgent,
    };
    const timeLimit = new TimeLimit();
    try {
      await this.parts.runner.run({ organization: organization.name, step, context, organizationServices: new StepOrganizationServiceFactory(this, execution, timeLimit), timeLimit }, trace);
    } finally {
      await this.writeTrace(trace, organization, context.correlationId);
    }
  }

  /** Runs one message at the execution's depth (a plug-in's call passes depth + 1). */
  async execute(execution: Execution, request: MessageRequest): Promise<MessageResult> {
    const enclosing = execution.transaction;
    if (!enclosing) return this.executeUntilCommitted(execution, request);
    enclosing.ensureActive();
    try {
      return await this.executeOnce(execution, request);
    } catch (error) {
      enclosing.aborted = true;
      throw error;
    }
  }

  private async executeOnce(execution: Execution, request: MessageRequest): Promise<MessageResult> {
    const steps = execution.registrations.stepsFor(request.message, request.table.logicalName);
    const operation = new Operation(execution, request.message, request.table, "id" in request ? request.id : undefined);
    this.setInputs(operation, request);
    // Depth counts the calls that trigger extensions (§C): a deep call that would run no step is no loop.
    if (execution.depth > MAX_DEPTH && steps.some((step) => runsFor(step, operation))) throw new PipelineError("InfiniteLoop", INFINITE_LOOP_MESSAGE);
    const preImage = needsPreImage(steps, request.message);
    const readRow = () => this.parts.records.read({ organization: execution.organization, caller: execution.caller }, request.table, operation.primaryEntityId, { unitOfWork: execution.transaction?.unitOfWork });
    // Pre-validation steps outside a transaction commit their own calls: the row as it was before them may be
    // stale, so later stages' pre-images come from the row read again after them. The first step Target lets
    // run is sure to run (no step ran before it to change Target), so whether any runs is known now.
    const rereadAfterValidation = !execution.transaction && steps.some((step) => isSynchronousAt(step, Stage.PreValidation) && runsFor(step, operation));
    // The row as the caller read it (an upsert decided on it), else as this request's transaction leaves it. It is
    // read before pre-validation only for a pre-validation step's pre-image (any such step's: an earlier step's
    // change of Target may make it run), or for every stage's when no re-read follows.
    let current = request.message === "Update" ? request.current : undefined;
    if (preImage && (!rereadAfterValidation || steps.some((step) => isSynchronousAt(step, Stage.PreValidation) && hasPreImage(step)))) {
      operation.before = current ?? (await readRow());
      current = operation.before;
      await this.nameImageLookups(execution, operation, steps, operation.before, ImageType.Post);
    }

    await this.runStage(execution, operation, steps, Stage.PreValidation, execution.transaction);
    if (rereadAfterValidation) {
      current = preImage ? await readRow() : undefined;
      if (preImage) {
        operation.before = current;
        await this.nameImageLookups(execution, operation, steps, operation.before, ImageType.Post);
      }
    }
    const target = operation.inputParameters.get("Target");
    authorizeRecordMessage(execution.caller, request.message, request.table, target instanceof Entity && target.attributes.has("ownerid"));
    const transaction = execution.transaction ?? new Transaction(this.parts.store.beginUnitOfWork(execution.organization.name));
    await this.runStage(execution, operation, steps, Stage.PreOperation, transaction);
    const result = await this.mainOperation(execution, operation, request, transaction, steps.length > 0, current);
    await this.nameImageLookups(execution, operation, steps, operation.after, ImageType.Pre);
    await this.runStage(execution, operation, steps, Stage.PostOperation, transaction);
    this.readOutputs(operation, request, result, steps);
    for (const step of steps) {
      if (step.mode === ExecutionMode.Asynchronous && runsFor(step, operation)) transaction.jobIds.push(this.parts.jobs.stage(transaction.unitOfWork, execution, operation, step));
    }
    transaction.ensureActive();
    if (!execution.transaction) await this.commit(execution, transaction, request, result);
    return result;
  }

  /** Runs a stage's synchronous steps. */
  private async runStage(execution: Execution, operation: Operation, steps: StepRegistration[], stage: number, transaction: Transaction | undefined): Promise<void> {
    for (const step of steps) {
      if (!isSynchronousAt(step, stage) || !runsFor(step, operation)) continue;
      const context = operation.stepContext(step, stage, transaction !== undefined);
      const timeLimit = new TimeLimit();
      const userId = step.impersonatingUserId ?? execution.caller.userId;
      // Every member named (not a spread of `execution`, whose shape varies): this runs for every step.
      const nested: Execution = {
        organization: execution.organization,
        caller: userId === execution.caller.userId ? execution.caller : callerForUser(execution.organization, userId, execution.caller.initiatingUserId),
        correlationId: execution.correlationId,
        depth: execution.depth + 1,
        parentContext: context,
        registrations: execution.registrations,
        trace: execution.trace,
        transaction,
        tag: undefined,
        initiatingUserAgent: execution.initiatingUserAgent,
      };
      const organizationServices = new StepOrganizationServiceFactory(this, nested, timeLimit);
      await this.parts.runner.run({ organization: execution.organization.name, step, context, organizationServices, timeLimit }, execution.trace);
    }
  }

  /**
   * Reads the primary names of the lookups in `record` that some step's image shows (its images but those of
   * type `excluded`): nothing without such an image; users and business units come from the cached context.
   */
  private async nameImageLookups(execution: Execution, operation: Operation, steps: StepRegistration[], record: StoredRecord | undefined, excluded: typeof ImageType.Pre | typeof ImageType.Post): Promise<void> {
    if (!record) return;
    const images = steps.flatMap((step) => step.images.filter((image) => image.imageType !== excluded));
    if (images.length === 0) return;
    const shown = (name: string) => images.some((image) => !image.attributes || image.attributes.includes(name));
    const lookups = operation.table.columns
      .filter((column) => isLookupType(column.type) && shown(column.logicalName))
      .map((column) => record.values[column.logicalName])
      .filter(isLookupValue)
      .filter((lookup) => !operation.lookupNames.has(lookup.id)); // named already (for the other image's row)
    if (lookups.length === 0) return;
    const names = await this.parts.records.lookupNames({ organization: execution.organization, caller: execution.caller }, lookups);
    for (const [id, name] of names) operation.lookupNames.set(id, name);
  }

  /** The trace log never changes a request's outcome: a failure to write it is only reported. */
  private async writeTrace(trace: TraceLog, organization: OrganizationContext, correlationId: string): Promise<void> {
    if (!trace.enabled) return;
    try {
      await trace.write(this.parts.store, organization);
    } catch (error) {
      structuredLog(
        failureEvent(LOG_EVENTS.traceLogNotWritten, "error", error, (cause) => `The plug-in trace log of ${organization.name} was not written (${cause}); the request's outcome stands.`, {
          organization: organization.name,
          correlationId,
        }),
      );
    }
  }

  private setInputs(operation: Operation, request: MessageRequest): void {
    const { table } = request;
    switch (request.message) {
      case "Create":
      case "Update": {
        const target = request.entity ?? valuesToEntity(table, request.values ?? {}, "id" in request ? request.id : undefined);
        if (request.message === "Update") {
          target.id = request.id;
          // The Web API puts the key of the URL into Target after the body's columns, as Dataverse's does.
          if (!request.entity) target.attributes.set(table.primaryIdAttribute, keyValue(table, request.id));
        }
        operation.inputParameters.set("Target", target);
        if (target.id !== EMPTY_GUID) operation.primaryEntityId = target.id;
        return;
      }
      case "Delete":
      case "Retrieve":
        operation.inputParameters.set("Target", new EntityReference(table.logicalName, request.id));
        if (request.message === "Retrieve") operation.inputParameters.set("ColumnSet", request.columnSet ?? allColumns());
        return;
      case "RetrieveMultiple":
        // The request's own QueryExpression: what steps in stages 10 and 20 change is what runs.
        operation.inputParameters.set("Query", showPage(request.query, request.page));
    }
  }

  /**
   * The operation itself, staged in the transaction; it reads and writes rows as the transaction leaves
   * them, so post-operation steps' updates of the same row combine with it into one write at commit.
   */
  private async mainOperation(
    execution: Execution,
    operation: Operation,
    request: MessageRequest,
    transaction: Transaction,
    hasSteps: boolean,
    current: StoredRecord | undefined,
  ): Promise<MessageResult> {
    const scope: RequestScope = { organization: execution.organization, caller: execution.caller };
    const options = { unitOfWork: transaction.unitOfWork, current };
    const { table } = request;
    const targetValues = () => {
      const target = operation.inputParameters.get("Target");
      if (!(target instanceof Entity)) throw new PipelineError("ValidationFailed", "Target must be an Entity.", { path: "Target" });
      // Unchanged Web API input needs no conversion when no step could have changed it.
      if (!hasSteps && "values" in request && request.values) return request.values;
      // A value a step set in Target itself wins over the request's.
      const values = { ...writeOnlyValues(table, "values" in request ? request.values : undefined), ...entityToValues(table, target) };
      if (request.message === "Create" && target.id !== EMPTY_GUID) values[table.primaryIdAttribute] = target.id;
      // An Update's row is the URL's: Target's key column names it, it does not move it.
      if (request.message === "Update") delete values[table.primaryIdAttribute];
      return values;
    };
    switch (request.message) {
      case "Create": {
        const record = await this.parts.records.create(scope, table, targetValues(), options);
        operation.primaryEntityId = record.id;
        operation.after = record;
        operation.outputParameters.set("id", new GuidValue(record.id));
        const target = operation.inputParameters.get("Target");
        if (target instanceof Entity) target.id = record.id;
        if (hasSteps && target instanceof Entity) operation.completeTarget(postOperationTarget(table, "Create", target, record));
        return { record };
      }
      case "Update": {
        const record = await this.parts.records.update(scope, table, request.id, targetValues(), request.ifMatch, options);
        operation.after = record;
        const target = operation.inputParameters.get("Target");
        if (hasSteps && target instanceof Entity) operation.completeTarget(postOperationTarget(table, "Update", target, record));
        return { record };
      }
      case "Delete":
        await this.parts.records.delete(scope, table, request.id, request.ifMatch, options);
        return {};
      case "Retrieve": {
        const record = await this.parts.records.retrieve(scope, table, request.id, { ...options, columnSet: columnSetParameter(operation.inputParameters) });
        if (hasSteps) operation.outputParameters.set("BusinessEntity", recordToEntity(table, record));
        return { record };
      }
      case "RetrieveMultiple": {
        const page = await this.parts.records.retrieveMultiple(scope, table, queryParameter(operation.inputParameters), request.page, options);
        if (hasSteps) {
          const collection = new EntityCollection(page.records.map((record) => recordToEntity(table, record)), table.logicalName);
          collection.moreRecords = page.next !== undefined;
          operation.outputParameters.set("BusinessEntityCollection", collection);
        }
        return { page };
      }
    }
  }

  /** What post-operation steps left in OutputParameters is what Retrieve and RetrieveMultiple answer. */
  private readOutputs(operation: Operation, request: MessageRequest, result: MessageResult, steps: StepRegistration[]): void {
    if (!steps.some((step) => step.stage === Stage.PostOperation && step.mode === ExecutionMode.Synchronous)) return;
    const { table } = request;
    if (request.message === "Retrieve" && result.record) {
      const entity = operation.outputParameters.get("BusinessEntity");
      if (entity instanceof Entity) result.record = { ...result.record, values: entityToRecordValues(table, entity, result.record.values) };
    }
    if (request.message === "RetrieveMultiple" && result.page) {
      const collection = operation.outputParameters.get("BusinessEntityCollection");
      if (collection instanceof EntityCollection) {
        const storedById = new Map(result.page.records.map((record) => [record.id, record]));
        result.page = {
          ...result.page,
          records: collection.entities.map((entity) => {
            const stored = storedById.get(entity.id);
            return { table: table.logicalName, id: entity.id, values: entityToRecordValues(table, entity, stored?.values ?? {}), etag: stored?.etag ?? "" };
          }),
        };
      }
    }
  }

  /** Commits; a written row is answered as committed (with post-operation steps' updates of it) and with its new etag. */
  private async commit(execution: Execution, transaction: Transaction, request: MessageRequest, result: MessageResult): Promise<void> {
    const written = result.record && (request.message === "Create" || request.message === "Update") ? result.record : undefined;
    // As the steps left it; a create stages only the columns it set, so they go over the answer's (which has every column).
    // Nothing staged (a step deleted the row it created) or a staged delete: the answer keeps the row as written.
    const staged = written && transaction.unitOfWork.stagedRecord(request.table, written.id);
    const final = staged && !staged.deleted ? { ...written.values, ...staged.record.values } : undefined;
    const etags = await transaction.unitOfWork.commit().catch((error: unknown) => {
      if (isPipelineError(error) && error.code === "ConcurrencyConflict") LOST_COMMIT_RACES.set(error, request);
      throw error;
    });
    if (result.record) result.record = { ...result.record, ...(final && { values: final }), etag: etags.get(recordRowKey(request.table.logicalName, result.record.id)) ?? result.record.etag };
    if (transaction.jobIds.length > 0) {
      try {
        const jobs = this.parts.jobs.committedJobs(transaction.unitOfWork, execution, transaction.jobIds, etags);
        await this.parts.dispatcher.jobsCommitted(execution.organization.name, jobs, execution.correlationId);
      } catch (error) {
        // The operation is committed; its jobs stay Ready in storage for the asynchronous service to find.
        structuredLog(jobsNotStartedEvent({ organization: execution.organization.name, jobIds: transaction.jobIds, correlationId: execution.correlationId, error, severity: "error" }));
      }
    }
  }
}

/** A write that asked for no version of its row (a Create never does). */
/** A commit's lost race (ConcurrencyConflict) → the run (its request object) whose commit lost it. */
const LOST_COMMIT_RACES = new WeakMap<object, MessageRequest>();

function asksForNoVersion(request: MessageRequest): boolean {
  if (request.message === "Create") return true;
  return (request.message === "Update" || request.message === "Delete") && !asksForVersion(request.ifMatch);
}

/** The request to run again: with the Target as the plug-in sent it, and an upsert's Update reading the row anew (the one it decided on is stale). */
function again(request: MessageRequest, sent: Entity | undefined): MessageRequest {
  if (request.message === "Create") return sent ? { ...request, entity: copyEntity(sent) } : request;
  if (request.message === "Update") return { ...request, current: undefined, ...(sent && { entity: copyEntity(sent) }) };
  return request;
}

/** A copy of an Entity with its own collections (the values in them are shared: steps replace values, they do not change them). */
function copyEntity(entity: Entity): Entity {
  const copy = new Entity(entity.logicalName, entity.id, new Map(entity.attributes));
  copy.formattedValues = new Map(entity.formattedValues);
  copy.keyAttributes = new Map(entity.keyAttributes);
  copy.relatedEntities = [...entity.relatedEntities];
  copy.entityState = entity.entityState;
  copy.rowVersion = entity.rowVersion;
  return copy;
}

/** Update steps with filtering attributes run only when the update sets one of them. */
function runsFor(step: StepRegistration, operation: Operation): boolean {
  if (operation.message !== "Update" || step.filteringAttributes.length === 0) return true;
  const target = operation.requestTarget;
  return target instanceof Entity && step.filteringAttributes.some((name) => target.attributes.has(name));
}

function isSynchronousAt(step: StepRegistration, stage: number): boolean {
  return step.stage === stage && step.mode === ExecutionMode.Synchronous;
}

function hasPreImage(step: StepRegistration): boolean {
  return step.images.some((image) => image.imageType !== ImageType.Post);
}

function needsPreImage(steps: StepRegistration[], message: string): boolean {
  return (message === "Update" || message === "Delete") && steps.some(hasPreImage);
}
