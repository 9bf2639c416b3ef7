import { ExpiringCache } from "../../cache/expiring-cache";
import { PipelineError, DATAVERSE_SPECIFIC_CODES } from "../../errors";
import { TableCatalog } from "../metadata/catalog";
import type { TableDefinition } from "../metadata/tables";
import type { RecordStore } from "../store/record-store";
import type { StoredRecord } from "../store/records";
import { isLookupValue } from "../store/records";
import { readCustomTables } from "../metadata/custom-tables";
import { PROVISIONED_ROW_KEY, provisionOrganization } from "./provision";
import type { DataServiceSettings } from "./settings";
import { dateTimeText } from "../metadata/edm";

/** What a request needs to know about its organization: tables, users and their roles. Cached per instance. */
export interface OrganizationContext {
  name: string;
  organizationId: string;
  catalog: TableCatalog;
  users: Map<string, StoredRecord>;
  /** The business units (few, and their writes drop the context): lookups to them need no read. */
  businessUnits: Map<string, StoredRecord>;
  administratorId: string;
  /** systemuserid → the `privileges` texts of the user's roles. */
  userPrivileges: Map<string, string[]>;
}

/** Tables whose rows are part of the cached context: writing one invalidates it. */
export const CONTEXT_TABLES = new Set(["organization", "businessunit", "systemuser", "role", "systemuserroles"]);

/** The row a lookup points at when the context caches it (a user or a business unit). */
export function cachedRow(organization: OrganizationContext, lookup: { logicalName: string; id: string }): StoredRecord | undefined {
  if (lookup.logicalName === "systemuser") return organization.users.get(lookup.id);
  if (lookup.logicalName === "businessunit") return organization.businessUnits.get(lookup.id);
  return undefined;
}

/** How old a cached context must be before a caller that found it lacking reloads it. */
const REFRESH_MIN_AGE_MS = 1_000;

/**
 * Loads (and on first use provisions) organizations. A loaded context is reused for `ttlMs`; this
 * instance drops it at once when it writes users, roles or tables, other instances after the TTL.
 */
export class OrganizationDirectory {
  private readonly cache: ExpiringCache<OrganizationContext>;

  constructor(
    private readonly store: RecordStore,
    private readonly settings: DataServiceSettings,
    ttlMs = 30_000,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.cache = new ExpiringCache(ttlMs, () => this.clock().getTime());
  }

  async get(name: string): Promise<OrganizationContext> {
    const setting = this.settings.organizations.get(name);
    if (!setting) {
      throw new PipelineError("NotFound", `Organization '${name}' does not exist.`, { dataverseCode: DATAVERSE_SPECIFIC_CODES.ResourceNotFoundForSegment });
    }
    return this.cache.get(name, () => this.load(name));
  }

  /**
   * The context loaded after `stale`, which lacked something another instance may have added (a table): one
   * reload however many callers found the same context stale, and at most one a second.
   */
  refresh(name: string, stale: OrganizationContext): Promise<OrganizationContext> {
    return this.cache.refresh(name, stale, () => this.load(name), REFRESH_MIN_AGE_MS);
  }

  invalidate(name: string): void {
    this.cache.invalidate(name);
  }

  private async load(name: string): Promise<OrganizationContext> {
    await this.store.ensureTable();
    let marker = await this.store.readRow(name, PROVISIONED_ROW_KEY);
    const builtin = new TableCatalog();
    if (!marker) {
      await provisionOrganization(this.store, builtin, this.settings.organizations.get(name)!, dateTimeText(this.clock()));
      marker = await this.store.readRow(name, PROVISIONED_ROW_KEY);
    }
    const catalog = new TableCatalog(await readCustomTables(this.store, name));
    const list = (table: string) => this.store.list(name, catalog.table(table) as TableDefinition);
    const [users, roles, links, businessUnits] = await Promise.all([list("systemuser"), list("role"), list("systemuserroles"), list("businessunit")]);
    const privilegesByRole = new Map(roles.map((role) => [role.id, String(role.values.privileges ?? "")]));
    const userPrivileges = new Map<string, string[]>();
    for (const link of links) {
      const user = link.values.systemuserid;
      const role = link.values.roleid;
      if (!isLookupValue(user) || !isLookupValue(role)) continue;
      userPrivileges.set(user.id, [...(userPrivileges.get(user.id) ?? []), privilegesByRole.get(role.id) ?? ""]);
    }
    return {
      name,
      organizationId: String(marker?.organizationid ?? ""),
      catalog,
      users: new Map(users.map((user) => [user.id, user])),
      businessUnits: new Map(businessUnits.map((unit) => [unit.id, unit])),
      administratorId: String(marker?.administratorid ?? ""),
      userPrivileges,
    };
  }
}
