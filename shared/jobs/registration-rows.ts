import type { StoredRecord } from "../dataservice";
import type { PipelineService } from "../pipeline";
import type { Registrations } from "../pipeline/registrations";

/** An organization's registrations (steps and service endpoints) as the pipeline caches them. */
export interface CachedRegistrations {
  get(organization: string): Promise<Registrations>;
  /** Registrations loaded after `stale` (it lacked a row: registered since, maybe by another instance). */
  refresh(organization: string, stale: Registrations): Promise<Registrations>;
}

/** The pipeline service's registration cache, by organization name. */
export function cachedRegistrationsOf(service: PipelineService): CachedRegistrations {
  return {
    get: async (organization) => service.registrations.get(await service.directory.get(organization)),
    refresh: async (organization, stale) => service.registrations.refresh(await service.directory.get(organization), stale),
  };
}

/**
 * A registration row (a step, a service endpoint) from the cache, with no read; when the cache lacks it,
 * from registrations loaded since (one registered through another instance is found, a deleted one stays missing).
 */
export async function registrationRow(
  registrations: CachedRegistrations,
  organization: string,
  find: (registrations: Registrations) => StoredRecord | undefined,
): Promise<StoredRecord | undefined> {
  const cached = await registrations.get(organization);
  return find(cached) ?? find(await registrations.refresh(organization, cached));
}
