import { toCollection, type CollectionInput, type EntityImageCollection, type ParameterCollection } from "./collections";
import { EntityReference, type Entity } from "./entity";
import { EMPTY_GUID, newGuid, normalizeGuid, type Guid } from "./guid";
import type { Extensible } from "./json-node";
import { DateTimeValue } from "./values";

export const Stage = {
  PreValidation: 10,
  PreOperation: 20,
  MainOperation: 30,
  PostOperation: 40,
  PostOperationDeprecated: 50,
} as const;
export type Stage = number;

export const ExecutionMode = { Synchronous: 0, Asynchronous: 1 } as const;
export type ExecutionMode = (typeof ExecutionMode)[keyof typeof ExecutionMode];

export const IsolationMode = { None: 1, Sandbox: 2 } as const;
export type IsolationMode = number;

/**
 * Microsoft.Xrm.Sdk.RemoteExecutionContext: what a step sees and what is posted to Service Bus,
 * Event Hubs and webhooks. Property names are the .NET ones in camelCase; optional properties are
 * the newer members that older payloads do not carry (written only when set).
 */
export interface RemoteExecutionContext extends Extensible {
  authenticatedUserId?: Guid;
  businessUnitId: Guid;
  correlationId: Guid;
  depth: number;
  environmentId?: string;
  initiatingUserAgent?: string;
  initiatingUserApplicationId?: Guid;
  initiatingUserAzureActiveDirectoryObjectId?: Guid;
  initiatingUserId: Guid;
  inputParameters: ParameterCollection;
  isApplicationUser?: boolean;
  isExecutingOffline: boolean;
  isInTransaction: boolean;
  isOfflinePlayback: boolean;
  isPortalsClientCall?: boolean;
  isolationMode: IsolationMode;
  messageName: string;
  mode: ExecutionMode;
  operationCreatedOn: DateTimeValue;
  operationId: Guid;
  organizationId: Guid;
  organizationName: string;
  outputParameters: ParameterCollection;
  owningExtension: EntityReference | null;
  parentContext: RemoteExecutionContext | null;
  portalsContactId?: Guid;
  postEntityImages: EntityImageCollection;
  preEntityImages: EntityImageCollection;
  primaryEntityId: Guid;
  primaryEntityName: string;
  requestId: Guid | null;
  secondaryEntityName: string;
  sharedVariables: ParameterCollection;
  stage: Stage;
  userAzureActiveDirectoryObjectId?: Guid;
  userId: Guid;
}

/** What `createContext` accepts: any property, with plain objects allowed for the collections. */
export type ContextInit = Partial<
  Omit<
    RemoteExecutionContext,
    "inputParameters" | "outputParameters" | "sharedVariables" | "preEntityImages" | "postEntityImages" | "operationCreatedOn"
  >
> & {
  /** A JS Date becomes a UTC-kind DateTimeValue. */
  operationCreatedOn?: DateTimeValue | Date;
  inputParameters?: CollectionInput;
  outputParameters?: CollectionInput;
  sharedVariables?: CollectionInput;
  preEntityImages?: Record<string, Entity> | Map<string, Entity>;
  postEntityImages?: Record<string, Entity> | Map<string, Entity>;
};

const GUID_PROPERTIES = [
  "authenticatedUserId", "businessUnitId", "correlationId", "initiatingUserApplicationId",
  "initiatingUserAzureActiveDirectoryObjectId", "initiatingUserId", "operationId", "organizationId",
  "portalsContactId", "primaryEntityId", "requestId", "userAzureActiveDirectoryObjectId", "userId",
] as const;

function toImages(input?: Record<string, Entity> | Map<string, Entity>): EntityImageCollection {
  if (input === undefined) return new Map();
  return new Map(input instanceof Map ? input : Object.entries(input));
}

/**
 * A context with Dataverse's defaults for everything not given (fresh correlation/operation ids,
 * depth 1, synchronous, isolation none, `SecondaryEntityName` "none"). GUIDs are lower-cased.
 *
 * `createContext({ messageName: "Create", primaryEntityName: "account", inputParameters: { Target: entity("account") } })`
 */
export function createContext(init: ContextInit = {}): RemoteExecutionContext {
  const operationId = init.operationId ?? newGuid();
  const context: RemoteExecutionContext = {
    businessUnitId: EMPTY_GUID,
    // Made only when not given: this runs for every step's context.
    correlationId: init.correlationId ?? newGuid(),
    depth: 1,
    initiatingUserId: EMPTY_GUID,
    isExecutingOffline: false,
    isInTransaction: false,
    isOfflinePlayback: false,
    isolationMode: IsolationMode.None,
    messageName: "",
    mode: ExecutionMode.Synchronous,
    operationId,
    organizationId: EMPTY_GUID,
    organizationName: "",
    owningExtension: null,
    parentContext: null,
    primaryEntityId: EMPTY_GUID,
    primaryEntityName: "",
    requestId: operationId,
    secondaryEntityName: "none",
    stage: Stage.PreOperation,
    userId: EMPTY_GUID,
    ...init,
    operationCreatedOn: init.operationCreatedOn instanceof Date ? new DateTimeValue(init.operationCreatedOn.getTime()) : (init.operationCreatedOn ?? new DateTimeValue(Date.now())),
    inputParameters: toCollection(init.inputParameters),
    outputParameters: toCollection(init.outputParameters),
    sharedVariables: toCollection(init.sharedVariables),
    preEntityImages: toImages(init.preEntityImages),
    postEntityImages: toImages(init.postEntityImages),
  };
  for (const name of GUID_PROPERTIES) {
    const value = context[name];
    if (typeof value === "string") context[name] = normalizeGuid(value, name);
  }
  return context;
}

/** The chain from this context to the outermost ParentContext (this one first). */
export function contextChain(context: RemoteExecutionContext): RemoteExecutionContext[] {
  const chain: RemoteExecutionContext[] = [];
  for (let current: RemoteExecutionContext | null = context; current; current = current.parentContext) chain.push(current);
  return chain;
}
