import { createNotificationService, validateServiceEndpoint, type EndpointPoster, type ServiceEndpointNotificationService } from "../delivery";
import { PipelineError } from "../errors";
import { registrationRow, type CachedRegistrations } from "./registration-rows";

/**
 * The notification service synchronous service-endpoint steps and plug-ins use: posts at once (a failure
 * fails the caller's operation) to a registration of the context's organization, taken from the
 * pipeline's registration cache as system jobs take theirs (no read per post).
 */
export function createEndpointNotificationService(registrations: () => CachedRegistrations, poster: EndpointPoster): ServiceEndpointNotificationService {
  return {
    execute(reference, context) {
      const find = async (id: string) => {
        const row = await registrationRow(registrations(), context.organizationName, (cached) => cached.serviceEndpointRow(id));
        if (!row) throw new PipelineError("NotFound", `serviceendpoint With Id = ${id} Does Not Exist`);
        return validateServiceEndpoint({ ...row.values, serviceendpointid: row.id });
      };
      return createNotificationService(poster, find).execute(reference, context);
    },
  };
}
