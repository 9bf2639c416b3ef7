import { PipelineError } from "../errors";
import type { RemoteExecutionContext } from "../model";
import type { ServiceEndpoint } from "./endpoint";
import type { EndpointPoster } from "./poster";

/** IServiceEndpointNotificationService, as plug-ins see it (issue 6). */
export interface ServiceEndpointNotificationService {
  /**
   * Posts `context` to the endpoint at once, within the caller's request, and returns what a two-way or
   * REST listener answered ("" for the other contracts).
   * @throws PipelineError as `EndpointPoster.post`; the caller's operation fails with it.
   */
  execute(endpoint: { logicalName: string; id: string }, context: RemoteExecutionContext): Promise<string>;
}

/** Finds a registration by id (the pipeline's cache or the data service); NotFound when there is none. */
export type ServiceEndpointLookup = (serviceEndpointId: string) => Promise<ServiceEndpoint>;

/** `organization`: the organization that posts (x-ms-dynamics-organization); default the context's. */
export function createNotificationService(poster: EndpointPoster, findEndpoint: ServiceEndpointLookup, organization?: string): ServiceEndpointNotificationService {
  return {
    async execute(reference, context) {
      if (reference.logicalName !== "serviceendpoint") {
        throw new PipelineError("ValidationFailed", `the endpoint reference must be a serviceendpoint, not ${reference.logicalName}`, { path: "LogicalName" });
      }
      const result = await poster.post(context, await findEndpoint(reference.id), { synchronous: true, organizationName: organization });
      return result.response ?? "";
    },
  };
}
