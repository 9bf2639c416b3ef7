import type { RecordStore } from "../dataservice";
import { createNotificationService, validateServiceEndpoint, type EndpointPoster, type ServiceEndpointNotificationService } from "../delivery";
import { PipelineError } from "../errors";
import { SystemJobStore } from "./system-jobs";

/**
 * The notification service synchronous service-endpoint steps and plug-ins use: posts at once to a
 * registration read from the context's organization (a failure fails the caller's operation).
 */
export function createStoredEndpointNotificationService(store: RecordStore, poster: EndpointPoster): ServiceEndpointNotificationService {
  const rows = new SystemJobStore(store);
  return {
    execute(reference, context) {
      const find = async (id: string) => {
        const row = await rows.readEventHandler(context.organizationName, { id, logicalName: "serviceendpoint" });
        if (!row) throw new PipelineError("NotFound", `serviceendpoint With Id = ${id} Does Not Exist`);
        return validateServiceEndpoint({ ...row.values, serviceendpointid: row.id });
      };
      return createNotificationService(poster, find).execute(reference, context);
    },
  };
}
