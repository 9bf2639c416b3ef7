import { PipelineError } from "../../errors";
import { isGuid } from "../../model";

/** App settings the data service reads. Register in shared/config/azure-resources.ts. */
export const DATA_SERVICE_SETTINGS = {
  /** Comma list of organizations, each `name` or `name:administratorObjectId` (the admin's Entra object id). */
  organizations: "Organizations",
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

export function readDataServiceSettings(env: Record<string, string | undefined> = process.env): DataServiceSettings {
  const organizations = new Map<string, OrganizationSetting>();
  for (const entry of (env[DATA_SERVICE_SETTINGS.organizations] ?? "").split(",").map((item) => item.trim()).filter(Boolean)) {
    const [name, administratorObjectId] = entry.split(":").map((part) => part.trim());
    if (!ORG_NAME.test(name) || (administratorObjectId !== undefined && !isGuid(administratorObjectId))) {
      throw new PipelineError(
        "ValidationFailed",
        `Setting ${DATA_SERVICE_SETTINGS.organizations}: '${entry}' is not 'name' or 'name:objectid' (lower-case name, GUID object id).`,
      );
    }
    organizations.set(name, { name, administratorObjectId: administratorObjectId?.toLowerCase() });
  }
  return { organizations, allowAnonymousAsAdmin: env[DATA_SERVICE_SETTINGS.allowAnonymousAsAdmin]?.toLowerCase() === "true" };
}
