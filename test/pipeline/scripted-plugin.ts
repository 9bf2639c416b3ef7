import { PipelineError } from "../../shared/errors";
import { EMPTY_GUID, Entity, EntityCollection, EntityReference, InvalidPluginExecutionError, OptionSetValue, OperationStatus, type PluginHttpStatusCode, type IPlugin, type PluginExecution } from "../../shared/plugins";
import { Entity as ModelEntity, columnSet, condition, type QueryExpression, type RemoteExecutionContext, type Value } from "../../shared/model";
import { encodeValueJson } from "../../shared/serialization";

/** What a test plug-in saw, for assertions. */
export interface Seen {
  label: string;
  stage: number;
  mode: number;
  depth: number;
  isInTransaction: boolean;
  userId: string;
  initiatingUserId: string;
  correlationId: string;
  operationId: string;
  requestId: string | null;
  owningExtensionId?: string;
  parentStage?: number;
  parentOwningExtension?: string | null;
  shared: Record<string, unknown>;
  parentShared: Record<string, unknown>;
  target: Record<string, unknown>;
  preImages: Record<string, Record<string, unknown>>;
  postImages: Record<string, Record<string, unknown>>;
  outputKeys: string[];
  secureConfig: string | null;
  /** What its own calls read (readOwn, createAndRead). */
  read: Record<string, unknown>;
  /** InputParameters as the JSON data contracts write them (a Query, a ColumnSet). */
  inputs: Record<string, unknown>;
  /** OutputParameters' BusinessEntity, its attributes. */
  businessEntity: Record<string, unknown>;
}

/** The numbered line a script with `traceLines` traces: 100 characters. */
export function tracedLine(line: number): string {
  return `line ${String(line).padStart(4, "0")} `.padEnd(100, "y");
}

/** Everything the scripted plug-ins saw, per organization. */
export const seen = new Map<string, Seen[]>();

interface Script {
  label?: string;
  /** Run only when Target's name is this. */
  onlyIfName?: string;
  trace?: string;
  /** After `trace`, traces this many numbered lines of 100 characters (tracedLine(1), tracedLine(2), …). */
  traceLines?: number;
  setTarget?: Record<string, string | number>;
  setOutputName?: string;
  setShared?: Record<string, string>;
  /** Puts a value the model has no type for (a function, a plain object, a JS Date) under `key` in SharedVariables or Target's attributes. */
  setUnsupported?: { into: "shared" | "target"; key: string; value: "function" | "object" | "date" };
  /**
   * "retry": InvalidPluginExecutionError with OperationStatus.Retry (asks the asynchronous service to try again);
   * "conflict": the ConcurrencyConflict a call of its own that lost its races (and gave up) lets through.
   */
  throw?: "invalid" | "error" | "retry" | "conflict";
  /** With throw "invalid": the exception's other arguments (OperationStatus, errorCode, PluginHttpStatusCode). */
  invalid?: { status?: number; errorCode?: number; httpStatus?: number };
  /** The thrown message padded with "x" to this many characters. */
  messageLength?: number;
  sleepMs?: number;
  createAccount?: string;
  /** The service createAccount uses: the factory's for "system" (null), "context" (the context's UserId), "empty" (EMPTY_GUID) or a user id. */
  serviceFor?: string;
  /** Ignores an error of its createAccount call. */
  swallowNested?: boolean;
  /** Updates its own Target again (a loop of Update steps). */
  updateAgain?: boolean;
  /** With updateAgain: updates again only below this depth. */
  untilDepth?: number;
  /** Retrieves the record the context is about, and lists it with $filter on its id (into `read`). */
  readOwn?: boolean;
  /** Deletes the record the context is about. */
  deleteOwn?: boolean;
  /** Updates the record the context is about with these columns. */
  updateOwn?: Record<string, string>;
  /** Creates an account with this name, then retrieves it by the id it got (into `read`). */
  createAndRead?: string;
  /** Retrieves the contact with this id (fails when there is none). */
  retrieveContact?: string;
  /** RetrieveMultiple: changes the Query in place (adds a condition `[attribute, operator, value]`, sets TopCount). */
  query?: { addCondition?: [string, number, string | number]; topCount?: number };
  /** Retrieve: replaces the ColumnSet with these columns. */
  columnSet?: string[];
  /** Registers, in its own calls, a filter of `message` on `table`, an Update step of this plug-in type on it, and a pre-image of that step. */
  register?: { sdkmessageid: string; plugintypeid: string; table: string; filteringattributes: string; imageattributes: string };
}

function plain(entity: unknown): Record<string, unknown> {
  if (!(entity instanceof ModelEntity)) return {};
  return Object.fromEntries([...entity.attributes].map(([key, value]) => [key, value !== null && typeof value === "object" && "value" in value ? (value as { value: unknown }).value : value]));
}

function images(collection: Map<string, ModelEntity>): Record<string, Record<string, unknown>> {
  return Object.fromEntries([...collection].map(([alias, entity]) => [alias, plain(entity)]));
}

function snapshot(label: string, context: RemoteExecutionContext, secureConfig: string | null): Seen {
  return {
    secureConfig,
    label,
    stage: context.stage,
    mode: context.mode,
    depth: context.depth,
    isInTransaction: context.isInTransaction,
    userId: context.userId,
    initiatingUserId: context.initiatingUserId,
    correlationId: context.correlationId,
    operationId: context.operationId,
    requestId: context.requestId,
    owningExtensionId: context.owningExtension?.id,
    parentStage: context.parentContext?.stage,
    parentOwningExtension: context.parentContext?.owningExtension?.name,
    shared: Object.fromEntries(context.sharedVariables),
    parentShared: Object.fromEntries(context.parentContext?.sharedVariables ?? []),
    target: plain(context.inputParameters.get("Target")),
    preImages: images(context.preEntityImages),
    postImages: images(context.postEntityImages),
    outputKeys: [...context.outputParameters.keys()],
    read: {},
    inputs: Object.fromEntries([...context.inputParameters].map(([key, value]) => [key, JSON.parse(encodeValueJson(value as Value)) as unknown])),
    businessEntity: plain(context.outputParameters.get("BusinessEntity")),
  };
}

async function register(service: PluginExecution["organizationService"], spec: NonNullable<Script["register"]>): Promise<void> {
  const message = new EntityReference("sdkmessage", spec.sdkmessageid);
  const filter = await service.create(new Entity("sdkmessagefilter").set("primaryobjecttypecode", spec.table).set("sdkmessageid", message));
  const step = await service.create(
    new Entity("sdkmessageprocessingstep")
      .set("name", `registered by a plug-in: Update of ${spec.table}`)
      .set("stage", new OptionSetValue(40))
      .set("sdkmessageid", message)
      .set("sdkmessagefilterid", new EntityReference("sdkmessagefilter", filter))
      .set("eventhandler", new EntityReference("plugintype", spec.plugintypeid))
      .set("filteringattributes", spec.filteringattributes),
  );
  await service.create(
    new Entity("sdkmessageprocessingstepimage")
      .set("entityalias", "pre")
      .set("imagetype", new OptionSetValue(0))
      .set("messagepropertyname", "Target")
      .set("attributes", spec.imageattributes)
      .set("sdkmessageprocessingstepid", new EntityReference("sdkmessageprocessingstep", step)),
  );
}

/** A plug-in driven by its unsecure configuration (JSON `Script`), recording what it saw. */
export class Scripted implements IPlugin {
  private readonly script: Script;

  constructor(
    unsecureConfig: string | null,
    private readonly secureConfig: string | null,
  ) {
    this.script = JSON.parse(unsecureConfig || "{}") as Script;
  }

  async execute({ context, organizationService, organizationServiceFactory, tracingService }: PluginExecution): Promise<void> {
    const script = this.script;
    const targetName = (context.inputParameters.get("Target") as Entity | undefined)?.get?.("name");
    if (script.onlyIfName !== undefined && targetName !== script.onlyIfName) return;
    const list = seen.get(context.organizationName) ?? [];
    const entry = snapshot(script.label ?? "", context, this.secureConfig);
    list.push(entry);
    seen.set(context.organizationName, list);
    if (script.trace) tracingService.trace("%s at stage %d", script.trace, context.stage);
    for (let line = 1; line <= (script.traceLines ?? 0); line++) tracingService.trace(tracedLine(line));
    const target = context.inputParameters.get("Target");
    for (const [key, value] of Object.entries(script.setTarget ?? {})) if (target instanceof Entity) target.set(key, value);
    for (const [key, value] of Object.entries(script.setShared ?? {})) context.sharedVariables.set(key, value);
    if (script.setUnsupported) {
      const { into, key, value } = script.setUnsupported;
      const unsupported = { function: () => 1, object: { a: 1 }, date: new Date() }[value] as unknown as Value;
      if (into === "shared") context.sharedVariables.set(key, unsupported);
      else if (target instanceof Entity) target.attributes.set(key, unsupported);
    }
    const query = context.inputParameters.get("Query") as QueryExpression | undefined;
    if (script.query?.addCondition && query) query.criteria.conditions.push(condition(...script.query.addCondition));
    if (script.query?.topCount !== undefined && query) query.topCount = script.query.topCount;
    if (script.columnSet) context.inputParameters.set("ColumnSet", columnSet(...script.columnSet));
    if (script.setOutputName) {
      const entity = context.outputParameters.get("BusinessEntity");
      if (entity instanceof Entity) entity.set("name", script.setOutputName);
      const collection = context.outputParameters.get("BusinessEntityCollection");
      if (collection instanceof EntityCollection) for (const row of collection.entities) row.set("name", script.setOutputName);
    }
    if (script.sleepMs) await new Promise((resolve) => setTimeout(resolve, script.sleepMs));
    if (script.createAccount) {
      const { serviceFor } = script;
      const service = serviceFor === undefined ? organizationService : organizationServiceFactory.createOrganizationService(serviceFor === "system" ? null : serviceFor === "context" ? context.userId : serviceFor === "empty" ? EMPTY_GUID : serviceFor);
      const created = service.create(new Entity("account").set("name", script.createAccount));
      // What became of the call (`read.createAccount`): a test waits for it to know the call is over.
      created.then(
        () => void (entry.read.createAccount = "created"),
        (error: unknown) => void (entry.read.createAccount = `refused: ${(error as Error).message}`),
      );
      await (script.swallowNested ? created.catch(() => undefined) : created);
    }
    if (script.updateAgain && target instanceof Entity && context.depth < (script.untilDepth ?? Infinity)) {
      await organizationService.update(new Entity(target.logicalName, target.id).set("description", `depth ${context.depth}`));
    }
    const own = { table: context.primaryEntityName, id: context.primaryEntityId };
    if (script.readOwn) {
      entry.read.retrieved = (await organizationService.retrieve(own.table, own.id)).get("name");
      const listed = await organizationService.retrieveMultiple(own.table, { $filter: `${own.table}id eq ${own.id}`, $select: "name" });
      entry.read.listed = listed.entities.map((row) => row.get("name"));
    }
    if (script.updateOwn) {
      const change = new Entity(own.table, own.id);
      for (const [key, value] of Object.entries(script.updateOwn)) change.set(key, value);
      await organizationService.update(change);
    }
    if (script.deleteOwn) await organizationService.delete(own.table, own.id);
    if (script.createAndRead) {
      const id = await organizationService.create(new Entity("account").set("name", script.createAndRead));
      entry.read.createdAndRead = (await organizationService.retrieve("account", id)).get("name");
    }
    if (script.register) await register(organizationService, script.register);
    if (script.retrieveContact) await organizationService.retrieve("contact", script.retrieveContact);
    const message = (text: string) => text.padEnd(script.messageLength ?? 0, "x");
    if (script.throw === "invalid") {
      const { status, errorCode, httpStatus } = script.invalid ?? {};
      throw new InvalidPluginExecutionError(message(`Stopped by ${script.label ?? "a plug-in"}.`), status as OperationStatus | undefined, { errorCode, httpStatus: httpStatus as PluginHttpStatusCode | undefined });
    }
    if (script.throw === "error") throw new TypeError("secret internal detail");
    if (script.throw === "retry") throw new InvalidPluginExecutionError(message(`Not yet, says ${script.label ?? "a plug-in"}.`), OperationStatus.Retry);
    if (script.throw === "conflict") throw new PipelineError("ConcurrencyConflict", "The version of the existing record doesn't match the RowVersion property provided.");
  }
}
