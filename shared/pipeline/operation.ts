import { randomUUID } from "node:crypto";
import type { Caller, OrganizationContext, StoredRecord, TableDefinition } from "../dataservice";
import { recordToEntity, sdkFormattedValues } from "../dataservice";
import {
  DateTimeValue,
  Entity,
  EntityReference,
  ExecutionMode,
  IsolationMode,
  Stage,
  EMPTY_GUID,
  createContext,
  type EntityImageCollection,
  type ParameterCollection,
  type RemoteExecutionContext,
} from "../model";
import { ImageType, type StepRegistration } from "./registrations";
import { SharedVariables } from "./shared-variables";

/** The core operation's own step, as Dataverse names it in ParentContext. */
export const OBJECT_MODEL_IMPLEMENTATION = { id: "63cdbb1b-ea3e-db11-86a7-000a3a5473e8", name: "ObjectModel Implementation" };

/** The alias of the post image Dataverse adds to every asynchronous step's context. */
export const ASYNC_PRIMARY_NAME_IMAGE = "AsynchronousStepPrimaryName";

/**
 * The messages whose later stages read pre-validation's shared variables through ParentContext only (§A.5);
 * on any other message the pre-validation steps' variables are every stage's own.
 */
const SEPARATE_PRE_VALIDATION_VARIABLES = new Set(["Create", "Update", "Delete", "RetrieveExchangeRate"]);

/** Where an operation runs: shared by a request and the nested calls of its plug-ins. */
export interface OperationOrigin {
  organization: OrganizationContext;
  caller: Caller;
  correlationId: string;
  depth: number;
  /** The context of the step whose call started this operation; null for a request from outside. */
  parentContext: RemoteExecutionContext | null;
  /** The request's `tag` parameter (top-level requests only): the shared variable `tag` of every step. */
  tag?: string;
  /** The Web API caller's User-Agent: InitiatingUserAgent of every context of the chain (absent when none). */
  initiatingUserAgent?: string;
}

export function stepReference(step: StepRegistration): EntityReference {
  return new EntityReference("sdkmessageprocessingstep", step.id, step.name || null);
}

/**
 * One message's execution state: the parameter collections every step shares (changes to Target in
 * stages 10 and 20 change what is written; OutputParameters from stage 40 are the response), the
 * shared variables (pre-validation steps share one collection, which later steps of Create, Update and
 * Delete see through ParentContext, and later steps of other messages as their own, §A.5) and the row
 * before and after the operation for images.
 */
export class Operation {
  readonly requestId = randomUUID();
  readonly createdOn = new DateTimeValue(Date.now());
  readonly inputParameters: ParameterCollection = new Map();
  readonly outputParameters: ParameterCollection = new Map();
  /** Pre-validation steps' shared variables; `tag` in both is the caller's, immutable. */
  readonly preValidationVariables: ParameterCollection;
  readonly sharedVariables: ParameterCollection;
  primaryEntityId: string;
  before?: StoredRecord;
  after?: StoredRecord;
  /** Primary names of the rows the images' lookups point at (read only when a step has images). */
  readonly lookupNames = new Map<string, string>();
  /** InputParameters as the main operation got them (ParentContext's), once Target was completed after it. */
  private coreInputParameters?: ParameterCollection;

  constructor(
    readonly origin: OperationOrigin,
    readonly message: string,
    readonly table: TableDefinition,
    primaryEntityId: string | undefined,
  ) {
    this.primaryEntityId = primaryEntityId ?? EMPTY_GUID;
    this.preValidationVariables = new SharedVariables(origin.tag);
    this.sharedVariables = SEPARATE_PRE_VALIDATION_VARIABLES.has(message) ? new SharedVariables(origin.tag) : this.preValidationVariables;
  }

  /** Target as the request (and stages 10 and 20) gave it to the main operation: what filtering attributes test. */
  get requestTarget(): unknown {
    return (this.coreInputParameters ?? this.inputParameters).get("Target");
  }

  /** After the main operation: stage 40 and asynchronous steps see `target`; ParentContext keeps the request's. */
  completeTarget(target: Entity): void {
    this.coreInputParameters = new Map(this.inputParameters);
    this.inputParameters.set("Target", target);
  }

  /** The context a synchronous step sees. */
  stepContext(step: StepRegistration, stage: number, isInTransaction: boolean): RemoteExecutionContext {
    const preValidation = stage === Stage.PreValidation;
    const context = this.baseContext(step, {
      stage,
      mode: ExecutionMode.Synchronous,
      isInTransaction,
      owningExtension: stepReference(step),
      parentContext: preValidation ? this.origin.parentContext : this.coreContext(ExecutionMode.Synchronous, isInTransaction),
    });
    context.sharedVariables = preValidation ? this.preValidationVariables : this.sharedVariables;
    context.preEntityImages = this.images(step, "pre");
    context.postEntityImages = stage === Stage.PostOperation ? this.images(step, "post") : new Map();
    return context;
  }

  /**
   * The context an asynchronous step's system job delivers: Mode 1, not in a transaction, ParentContext
   * the operation at stage 30, OperationId/OperationCreatedOn the job's, and the AsynchronousStepPrimaryName
   * post image. Its collections are copies: later steps cannot change what the job delivers. `jobCreatedOn`
   * as the job's createdon, with the offset Dataverse writes on asynchronous contexts (`+0000` for UTC).
   */
  asyncContext(step: StepRegistration, jobId: string, jobCreatedOn: DateTimeValue): RemoteExecutionContext {
    const parent = this.baseContext(step, { stage: Stage.MainOperation, mode: ExecutionMode.Asynchronous, isInTransaction: false, owningExtension: stepReference(step) });
    parent.operationId = jobId;
    parent.operationCreatedOn = jobCreatedOn;
    // The core operation's context is taken before it has a response: Dataverse's async parent has OutputParameters [].
    parent.inputParameters = new Map(this.coreInputParameters ?? this.inputParameters);
    parent.outputParameters = new Map();
    parent.sharedVariables = new Map(this.preValidationVariables);
    const context = this.baseContext(step, {
      stage: Stage.PostOperation,
      mode: ExecutionMode.Asynchronous,
      isInTransaction: false,
      owningExtension: stepReference(step),
      parentContext: parent,
    });
    context.operationId = jobId;
    context.operationCreatedOn = jobCreatedOn;
    context.inputParameters = new Map(this.inputParameters);
    context.outputParameters = new Map(this.outputParameters);
    context.sharedVariables = new Map(this.sharedVariables);
    context.preEntityImages = this.images(step, "pre");
    context.postEntityImages = this.images(step, "post");
    const primaryName = this.primaryNameImage();
    if (primaryName) context.postEntityImages.set(ASYNC_PRIMARY_NAME_IMAGE, primaryName);
    return context;
  }

  /** The core operation (stage 30) as ParentContext of pre- and post-operation steps. */
  private coreContext(mode: ExecutionMode, isInTransaction: boolean): RemoteExecutionContext {
    const core = this.baseContext(undefined, {
      stage: Stage.MainOperation,
      mode,
      isInTransaction,
      owningExtension: new EntityReference("sdkmessageprocessingstep", OBJECT_MODEL_IMPLEMENTATION.id, OBJECT_MODEL_IMPLEMENTATION.name),
      parentContext: this.origin.parentContext,
    });
    core.sharedVariables = this.preValidationVariables;
    if (this.coreInputParameters) core.inputParameters = this.coreInputParameters;
    return core;
  }

  private baseContext(step: StepRegistration | undefined, init: Partial<RemoteExecutionContext>): RemoteExecutionContext {
    const { organization, caller, correlationId, depth } = this.origin;
    const userId = step?.impersonatingUserId ?? caller.userId;
    const objectIdOf = (id: string) => {
      const objectId = organization.users.get(id)?.values.azureactivedirectoryobjectid;
      return typeof objectId === "string" ? objectId : undefined;
    };
    const context = createContext({
      businessUnitId: caller.businessUnitId || undefined,
      correlationId,
      depth,
      initiatingUserId: caller.initiatingUserId,
      isolationMode: IsolationMode.None,
      messageName: this.message,
      operationId: this.requestId,
      requestId: this.requestId,
      operationCreatedOn: this.createdOn,
      organizationId: organization.organizationId,
      organizationName: organization.name,
      primaryEntityId: this.primaryEntityId,
      primaryEntityName: this.table.logicalName,
      userId,
      initiatingUserAzureActiveDirectoryObjectId: objectIdOf(caller.initiatingUserId) ?? EMPTY_GUID,
      userAzureActiveDirectoryObjectId: objectIdOf(userId) ?? EMPTY_GUID,
      ...(this.origin.initiatingUserAgent !== undefined && { initiatingUserAgent: this.origin.initiatingUserAgent }),
      ...init,
    });
    context.inputParameters = this.inputParameters;
    context.outputParameters = this.outputParameters;
    return context;
  }

  private images(step: StepRegistration, which: "pre" | "post"): EntityImageCollection {
    const images: EntityImageCollection = new Map();
    const record = which === "pre" ? this.before : this.after;
    if (!record) return images;
    const excluded = which === "pre" ? ImageType.Post : ImageType.Pre;
    for (const image of step.images) {
      if (image.imageType === excluded) continue;
      images.set(image.alias, this.imageOf(record, image.attributes));
    }
    return images;
  }

  /** An image: the row's columns (`attributes`, else all) with lookup names and FormattedValues, as Dataverse gives them. */
  private imageOf(record: StoredRecord, attributes: string[] | undefined): Entity {
    const entity = recordToEntity(this.table, record, this.lookupNames);
    if (attributes) {
      for (const name of [...entity.attributes.keys()]) if (!attributes.includes(name)) entity.attributes.delete(name);
    }
    entity.formattedValues = sdkFormattedValues(this.table, record.values, entity.attributes.keys(), this.lookupNames);
    return entity;
  }

  private primaryNameImage(): Entity | undefined {
    const record = this.after ?? this.before;
    if (!record) return undefined;
    const order = [this.table.primaryNameAttribute, this.table.primaryIdAttribute];
    const image = this.imageOf(record, order);
    // Dataverse lists the primary name first, then the id (`[fullname, contactid]`), not in column order.
    image.attributes = new Map(order.filter((name) => image.attributes.has(name)).map((name) => [name, image.attributes.get(name) ?? null]));
    return image;
  }
}
