import { PipelineError } from "../../errors";
import { isGuid, normalizeGuid } from "../../model";

/**
 * App settings the data service reads (the names infra's shared/config/azure-resources.ts declares as
 * appSettings.organizations / appSettings.administratorObjectId; AllowAnonymousAsAdmin is local-only).
 */
export const DATA_SERVICE_SETTINGS = {
  /** Comma list of organization names (`contoso,fabrikam`); each gets `/{org}/api/data/v9.2/`. */
  organizations: "Organizations",
  /** Entra object id given to each organization's administrator systemuser when it is provisioned. */
  administratorObjectId: "AdministratorObjectId",
  /** Local runtime only: `true` maps calls without `x-ms-client-principal-id` to the organization's administrator. */
  allowAnonymousAsAdmin: "AllowAnonymousAsAdmin",
} as const;

export interface OrganizationSetting {
  name: string;
  administratorObjectId?: string;
}

export interface DataServiceSettings {
  organizations: Map<string, OrganizationSetting>;
  allowAnonymousAsAdmin: boolean;
}

const ORG_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** @throws PipelineError ValidationFailed naming the setting when a value is malformed. */
export function readDataServiceSettings(env: Record<string, string | undefined> = process.env): DataServiceSettings {
  const objectId = env[DATA_SERVICE_SETTINGS.administratorObjectId]?.trim() || undefined;
  if (objectId !== undefined && !isGuid(objectId)) {
    throw new PipelineError("ValidationFailed", `Setting ${DATA_SERVICE_SETTINGS.administratorObjectId}: '${objectId}' is not a GUID.`);
  }
  const organizations = new Map<string, OrganizationSetting>();
  for (const name of (env[DATA_SERVICE_SETTINGS.organizations] ?? "").split(",").map((item) => item.trim()).filter(Boolean)) {
    if (!ORG_NAME.test(name)) {
      throw new PipelineError("ValidationFailed", `Setting ${DATA_SERVICE_SETTINGS.organizations}: '${name}' is not a lower-case organization name.`);
    }
    organizations.set(name, { name, administratorObjectId: objectId && normalizeGuid(objectId) });
  }
  return { organizations, allowAnonymousAsAdmin: env[DATA_SERVICE_SETTINGS.allowAnonymousAsAdmin]?.toLowerCase() === "true" };
}
