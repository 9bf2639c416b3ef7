import { createNotificationService, validateServiceEndpoint, type EndpointPoster } from "../delivery";
import { PipelineError } from "../errors";
import type { OrganizationNotifications } from "../pipeline";
import { registrationRow, type CachedRegistrations } from "./registration-rows";

/**
 * The notification service synchronous service-endpoint steps and plug-ins use: posts at once (a failure
 * fails the caller's operation) to a registration of the organization the step runs in — never another's,
 * whatever organization the context a plug-in passes names — taken from the pipeline's registration cache
 * as system jobs take theirs (no read per post).
 */
export function createEndpointNotificationService(registrations: () => CachedRegistrations, poster: EndpointPoster): OrganizationNotifications {
  return (organization) =>
    createNotificationService(
      poster,
      async (id) => {
        const row = await registrationRow(registrations(), organization, (cached) => cached.serviceEndpointRow(id));
        if (!row) throw new PipelineError("NotFound", `serviceendpoint With Id = ${id} Does Not Exist`);
        return validateServiceEndpoint({ ...row.values, serviceendpointid: row.id });
      },
      organization,
    );
}
