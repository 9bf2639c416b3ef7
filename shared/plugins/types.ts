import type { Entity, EntityCollection, EntityReference, Guid, RemoteExecutionContext } from "../model";

/**
 * IPluginExecutionContext: every property is read-only except the contents of InputParameters,
 * OutputParameters and SharedVariables (changing Target in stages 10 and 20 changes what is written;
 * OutputParameters exist from stage 40 and changing them there changes the response).
 */
export type IPluginExecutionContext = Readonly<RemoteExecutionContext>;

/** RetrieveMultiple's query in the Web API's terms (`$filter`, `$select`, `$orderby`, `$top`). */
export interface RecordsQuery {
  $filter?: string;
  $select?: string;
  $orderby?: string;
  $top?: number;
}

/** IOrganizationService: acts as the step's user (the calling user or the step's impersonating user). */
export interface IOrganizationService {
  create(entity: Entity): Promise<Guid>;
  /** `columns`: the column set; omitted = all columns. */
  retrieve(logicalName: string, id: Guid, columns?: string[]): Promise<Entity>;
  retrieveMultiple(logicalName: string, query?: RecordsQuery): Promise<EntityCollection>;
  update(entity: Entity): Promise<void>;
  delete(logicalName: string, id: Guid): Promise<void>;
}

/**
 * IOrganizationServiceFactory: organization services acting as a given user, each call one level deeper on the
 * step's correlation and in its transaction, as the step's own service.
 */
export interface IOrganizationServiceFactory {
  /**
   * `userId`: the user the calls act as (as Dataverse's plug-ins, without prvActOnBehalfOfAnotherUser);
   * `EMPTY_GUID`: the context's UserId (the step's own service); null: SYSTEM, here the organization's
   * administrator. InitiatingUserId stays the caller's.
   * @throws PipelineError NotFound for a user the organization does not have, 0x80040225 for a disabled one.
   */
  createOrganizationService(userId: Guid | null): IOrganizationService;
}

/** ITracingService: lines kept in the plug-in trace log (plugintracelog) when the organization turns it on. */
export interface ITracingService {
  trace(format: string, ...args: unknown[]): void;
}

/** IServiceEndpointNotificationService: posts a context to a service endpoint; returns the listener's answer. */
export interface IServiceEndpointNotificationService {
  execute(serviceEndpoint: EntityReference, context: RemoteExecutionContext): Promise<string>;
}

/** What a plug-in's `execute` receives: the execution context and the services of the step. */
export interface PluginExecution {
  context: IPluginExecutionContext;
  /** The step's own service: `organizationServiceFactory.createOrganizationService(context.userId)`. */
  organizationService: IOrganizationService;
  organizationServiceFactory: IOrganizationServiceFactory;
  tracingService: ITracingService;
  notificationService: IServiceEndpointNotificationService;
}

/** A plug-in instance. Instances are cached and reused across executions: keep them stateless. */
export interface IPlugin {
  execute(execution: PluginExecution): Promise<void> | void;
}

/** A plug-in class: constructed with the step's unsecure and secure configuration. */
export type PluginClass = new (unsecureConfig: string | null, secureConfig: string | null) => IPlugin;

const FACTORY = Symbol.for("event-pipeline.PluginFactory");

/** A plug-in written as a function of the configuration; mark it with `definePlugin`. */
export type PluginFactory = ((unsecureConfig: string | null, secureConfig: string | null) => IPlugin) & { readonly [FACTORY]: true };

export function definePlugin(factory: (unsecureConfig: string | null, secureConfig: string | null) => IPlugin): PluginFactory {
  return Object.assign(factory, { [FACTORY]: true as const });
}

export function isPluginFactory(value: unknown): value is PluginFactory {
  return typeof value === "function" && (value as unknown as Record<symbol, unknown>)[FACTORY] === true;
}

export function isPluginClass(value: unknown): value is PluginClass {
  return typeof value === "function" && typeof (value as { prototype?: { execute?: unknown } }).prototype?.execute === "function";
}
