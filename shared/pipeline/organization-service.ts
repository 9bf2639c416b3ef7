import type { TableDefinition } from "../dataservice";
import { callerForUser, parseQuery } from "../dataservice";
import { PipelineError } from "../errors";
import { EMPTY_GUID, Entity, EntityCollection, allColumns, columnSet, normalizeGuid, type Guid } from "../model";
import type { IOrganizationService, IOrganizationServiceFactory, RecordsQuery } from "../plugins/types";
import { recordToEntity } from "../dataservice";
import type { EventPipeline, Execution } from "./pipeline";
import { TIMEOUT_MESSAGE, type TimeLimit } from "./step-runner";

const MAX_PAGE = 5000;

/**
 * The organization service a step's plug-in gets: acts as the step's user, and each call runs the
 * pipeline one level deeper inside the step's transaction (none in a top-level pre-validation step:
 * then each call commits on its own, as in Dataverse).
 */
export class StepOrganizationService implements IOrganizationService {
  constructor(
    private readonly pipeline: EventPipeline,
    private readonly execution: Execution,
    private readonly timeLimit: TimeLimit,
  ) {}

  async create(entity: Entity): Promise<Guid> {
    const { record } = await this.run({ message: "Create", table: this.table(entity.logicalName), entity });
    return record!.id;
  }

  async retrieve(logicalName: string, id: Guid, columns?: string[]): Promise<Entity> {
    const { record } = await this.run({ message: "Retrieve", table: this.table(logicalName), id, columnSet: columns ? columnSet(...columns) : allColumns() });
    return recordToEntity(this.table(logicalName), record!);
  }

  async retrieveMultiple(logicalName: string, query: RecordsQuery = {}): Promise<EntityCollection> {
    const table = this.table(logicalName);
    const options = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined).map(([key, value]) => [key, String(value)]));
    const { query: parsed } = parseQuery(table, options);
    const { page } = await this.run({ message: "RetrieveMultiple", table, query: parsed, page: { size: Math.min(parsed.topCount ?? MAX_PAGE, MAX_PAGE) } });
    const collection = new EntityCollection(page!.records.map((record) => recordToEntity(table, record)), logicalName);
    collection.moreRecords = page!.next !== undefined;
    return collection;
  }

  async update(entity: Entity): Promise<void> {
    await this.run({ message: "Update", table: this.table(entity.logicalName), id: entity.id, entity });
  }

  async delete(logicalName: string, id: Guid): Promise<void> {
    await this.run({ message: "Delete", table: this.table(logicalName), id });
  }

  private run(request: Parameters<EventPipeline["execute"]>[1]) {
    if (this.timeLimit.exceeded) return Promise.reject(new PipelineError("Timeout", TIMEOUT_MESSAGE, { retryable: false }));
    return this.pipeline.execute(this.execution, request);
  }

  private table(logicalName: string): TableDefinition {
    const table = this.execution.organization.catalog.table(logicalName);
    if (!table) throw new PipelineError("NotFound", `The entity with a name = '${logicalName}' was not found in the MetadataCache.`, { dataverseCode: "0x80041102" });
    return table;
  }
}

/**
 * The organization service factory a step's plug-in gets: `execution` is the step's (its user, one level
 * deeper); a service for another user differs only in who it acts as, never in depth, correlation or transaction.
 */
export class StepOrganizationServiceFactory implements IOrganizationServiceFactory {
  /** The step's own service (its user's). */
  readonly stepService: StepOrganizationService;

  constructor(
    private readonly pipeline: EventPipeline,
    private readonly execution: Execution,
    private readonly timeLimit: TimeLimit,
  ) {
    this.stepService = new StepOrganizationService(pipeline, execution, timeLimit);
  }

  createOrganizationService(userId: Guid | null): IOrganizationService {
    const { organization, caller } = this.execution;
    // null is Dataverse's SYSTEM user: here the organization's administrator, who holds every privilege.
    const user = userId === null ? organization.administratorId : normalizeGuid(userId, "userId");
    if (user === EMPTY_GUID || user === caller.userId) return this.stepService;
    return new StepOrganizationService(this.pipeline, { ...this.execution, caller: callerForUser(organization, user, caller.initiatingUserId) }, this.timeLimit);
  }
}
