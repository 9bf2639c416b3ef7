import { ExpiringCache } from "../cache/expiring-cache";
import { isPipelineError } from "../errors";
import type { OrganizationContext, RecordStore, StoredRecord, TableDefinition } from "../dataservice";
import { isLookupValue, stampSystemColumns, type RowWriter } from "../dataservice";
import type { PluginCatalog } from "../plugins/catalog";
import { dateTimeText } from "../dataservice/metadata/edm";
import { nameBasedGuid } from "../model";

export const ImageType = { Pre: 0, Post: 1, Both: 2 } as const;

/** A registered image: `attributes` undefined = all columns. */
export interface StepImage {
  id: string;
  imageType: number;
  alias: string;
  attributes?: string[];
  messagePropertyName: string;
}

export type EventHandler =
  | { kind: "plugintype"; id: string; typeName: string }
  | { kind: "serviceendpoint"; id: string; name: string };

/** An enabled sdkmessageprocessingstep as the pipeline runs it. */
export interface StepRegistration {
  id: string;
  name: string;
  message: string;
  /** The table of the step's message filter; undefined = every table. */
  primaryTable?: string;
  stage: number;
  mode: number;
  rank: number;
  /** Registration order among steps of equal rank. */
  sequence: number;
  /** Update steps run only when the update includes one of these (empty: always). */
  filteringAttributes: string[];
  configuration: string | null;
  secureConfiguration: string | null;
  impersonatingUserId?: string;
  asyncAutoDelete: boolean;
  handler: EventHandler;
  images: StepImage[];
}

/** The registration rows as stored, for the asynchronous service: every step (enabled or not) and service endpoint, by id. */
export interface RegistrationRows {
  steps: StoredRecord[];
  serviceEndpoints: StoredRecord[];
}

/** One organization's registrations, indexed by message and table. */
export class Registrations {
  private readonly byMessage = new Map<string, StepRegistration[]>();
  private readonly stepRows: Map<string, StoredRecord>;
  private readonly serviceEndpointRows: Map<string, StoredRecord>;

  constructor(
    steps: StepRegistration[],
    /** organization.plugintracelogsetting: 0 off, 1 exceptions, 2 all. */
    readonly traceLogSetting: number,
    rows: RegistrationRows = { steps: [], serviceEndpoints: [] },
  ) {
    this.stepRows = new Map(rows.steps.map((row) => [row.id, row]));
    this.serviceEndpointRows = new Map(rows.serviceEndpoints.map((row) => [row.id, row]));
    const ordered = [...steps].sort((a, b) => a.stage - b.stage || a.rank - b.rank || a.sequence - b.sequence || a.id.localeCompare(b.id));
    for (const step of ordered) {
      const list = this.byMessage.get(step.message) ?? [];
      list.push(step);
      this.byMessage.set(step.message, list);
    }
  }

  /** An enabled step by id (a system job's OwningExtension). */
  step(id: string): StepRegistration | undefined {
    for (const steps of this.byMessage.values()) {
      const step = steps.find((candidate) => candidate.id === id);
      if (step) return step;
    }
    return undefined;
  }

  /** A step's row as stored, enabled or not (a system job's step). */
  stepRow(id: string): StoredRecord | undefined {
    return this.stepRows.get(id);
  }

  /** A service endpoint's row as stored, secrets included (never returned to callers of the Web API). */
  serviceEndpointRow(id: string): StoredRecord | undefined {
    return this.serviceEndpointRows.get(id);
  }

  /** The enabled steps of a message on a table, by stage, rank, then registration order. */
  stepsFor(message: string, table: string): StepRegistration[] {
    return (this.byMessage.get(message) ?? []).filter((step) => step.primaryTable === undefined || step.primaryTable === table);
  }
}

const REGISTRATION_TABLES = ["sdkmessageprocessingstep", "sdkmessageprocessingstepimage", "plugintype", "serviceendpoint", "sdkmessage", "sdkmessagefilter", "organization"] as const;

/** Tables whose changes invalidate the cached registrations. */
export const REGISTRATION_TABLE_NAMES: ReadonlySet<string> = new Set(REGISTRATION_TABLES);

/**
 * Registrations per organization, read once and reused: a request costs no storage round trip for
 * them. This instance drops an organization's entry when it writes one of REGISTRATION_TABLE_NAMES;
 * other instances reload after `ttlMs`. The first load also writes the app's plug-in types as
 * `plugintype` rows (idempotent: the row id is derived from the organization and type name).
 */
export class RegistrationCache {
  private readonly cache: ExpiringCache<Registrations>;

  constructor(
    private readonly store: RecordStore,
    private readonly plugins: PluginCatalog,
    ttlMs = 30_000,
  ) {
    this.cache = new ExpiringCache(ttlMs);
  }

  get(organization: OrganizationContext): Promise<Registrations> {
    return this.cache.get(organization.name, () => this.load(organization));
  }

  /**
   * Registrations loaded after `stale` (a value that lacked a row another instance may have added): reloads
   * once however many callers found the same value stale at once.
   */
  refresh(organization: OrganizationContext, stale: Registrations): Promise<Registrations> {
    return this.cache.refresh(organization.name, stale, () => this.load(organization));
  }

  invalidate(organization: string): void {
    this.cache.invalidate(organization);
  }

  private async load(organization: OrganizationContext): Promise<Registrations> {
    const table = (name: string) => organization.catalog.table(name) as TableDefinition;
    const list = (name: string) => this.store.list(organization.name, table(name));
    const [steps, images, listedPluginTypes, endpoints, messages, filters, organizations] = await Promise.all(REGISTRATION_TABLES.map(list));
    let pluginTypes = listedPluginTypes;
    const missing = this.plugins.typeNames.filter((name) => !pluginTypes.some((row) => pluginTypeName(row.values) === name));
    if (missing.length > 0) {
      await this.registerPluginTypes(organization, table("plugintype"), missing);
      pluginTypes = await list("plugintype");
    }
    const nameOf = (rows: StoredRecord[]) => new Map(rows.map((row) => [row.id, String(row.values.name ?? "")]));
    const messageNames = nameOf(messages);
    const pluginTypeNames = new Map(pluginTypes.map((row) => [row.id, pluginTypeName(row.values)]));
    const endpointNames = nameOf(endpoints);
    const filterTables = new Map(filters.map((row) => [row.id, String(row.values.primaryobjecttypecode ?? "")]));
    const imagesByStep = new Map<string, StepImage[]>();
    for (const image of images) {
      const step = image.values.sdkmessageprocessingstepid;
      if (!isLookupValue(step)) continue;
      imagesByStep.set(step.id, [...(imagesByStep.get(step.id) ?? []), toImage(image)]);
    }
    const registrations: StepRegistration[] = [];
    for (const step of steps) {
      const values = step.values;
      const message = isLookupValue(values.sdkmessageid) ? messageNames.get(values.sdkmessageid.id) : undefined;
      const handler = values.eventhandler;
      if (values.statecode !== 0 || !message || !isLookupValue(handler)) continue;
      const eventHandler: EventHandler =
        handler.logicalName === "plugintype"
          ? { kind: "plugintype", id: handler.id, typeName: pluginTypeNames.get(handler.id) ?? "" }
          : { kind: "serviceendpoint", id: handler.id, name: endpointNames.get(handler.id) ?? "" };
      registrations.push({
        id: step.id,
        name: String(values.name ?? ""),
        message,
        primaryTable: isLookupValue(values.sdkmessagefilterid) ? filterTables.get(values.sdkmessagefilterid.id) : undefined,
        stage: Number(values.stage),
        mode: Number(values.mode ?? 0),
        rank: Number(values.rank ?? 1),
        sequence: Number(values.registrationsequence ?? Date.parse(String(values.createdon)) * 1000),
        filteringAttributes: splitColumns(values.filteringattributes) ?? [],
        configuration: typeof values.configuration === "string" ? values.configuration : null,
        secureConfiguration: typeof values.secureconfig === "string" ? values.secureconfig : null,
        impersonatingUserId: isLookupValue(values.impersonatinguserid) ? values.impersonatinguserid.id : undefined,
        asyncAutoDelete: values.asyncautodelete === true,
        handler: eventHandler,
        images: imagesByStep.get(step.id) ?? [],
      });
    }
    return new Registrations(registrations, Number(organizations[0]?.values.plugintracelogsetting ?? 0), { steps, serviceEndpoints: endpoints });
  }

  private async registerPluginTypes(organization: OrganizationContext, table: TableDefinition, typeNames: string[]): Promise<void> {
    const uow = this.store.beginUnitOfWork(organization.name);
    const now = dateTimeText();
    const admin: RowWriter = { userId: organization.administratorId, at: now };
    for (const name of typeNames) {
      const [assemblyname] = name.split(".");
      const row = { name, typename: name, friendlyname: name, assemblyname };
      uow.create(table, pluginTypeId(organization.name, name), stampSystemColumns(table, row, admin, { kind: "create" }));
    }
    try {
      await uow.commit();
    } catch (error) {
      // Another instance registered them first.
      if (!(isPipelineError(error) && error.code === "Duplicate")) throw error;
    }
  }
}

/** The class a plugintype row runs: its `typename` (as in Dataverse; `name` is only its label), else its `name`. */
export function pluginTypeName(row: Record<string, unknown>): string {
  return String(row.typename ?? row.name ?? "");
}

/** A stable id per organization and type name (a name-based UUID), so every instance writes the same row. */
export function pluginTypeId(organization: string, typeName: string): string {
  return nameBasedGuid(`plugintype:${organization}:${typeName}`);
}

/** A comma-separated column list; undefined when empty (= all columns). */
export function splitColumns(value: unknown): string[] | undefined {
  if (typeof value !== "string") return undefined;
  const columns = value.split(",").map((name) => name.trim().toLowerCase()).filter(Boolean);
  return columns.length > 0 ? columns : undefined;
}

function toImage(row: StoredRecord): StepImage {
  return {
    id: row.id,
    imageType: Number(row.values.imagetype ?? 0),
    alias: String(row.values.entityalias ?? ""),
    attributes: splitColumns(row.values.attributes),
    messagePropertyName: String(row.values.messagepropertyname ?? "Target"),
  };
}
