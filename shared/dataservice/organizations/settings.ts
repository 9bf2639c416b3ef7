import { azureResources } from "../../config/azure-resources";
import { PipelineError } from "../../errors";
import { isGuid, normalizeGuid } from "../../model";

/** App settings the data service reads; the names are declared in shared/config/azure-resources.ts. */
export const DATA_SERVICE_SETTINGS = {
  organizations: azureResources.appSettings.organizations,
  administratorObjectId: azureResources.appSettings.administratorObjectId,
  allowAnonymousAsAdmin: azureResources.localSettings.allowAnonymousAsAdmin,
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
