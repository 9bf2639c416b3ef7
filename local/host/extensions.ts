import { durableExtension } from "../durable/extension";
import type { HostExtension } from "./host";
import { serviceBusExtension } from "./servicebus/service-bus-trigger";

/** The extensions a default host runs: the Durable engine and the Service Bus triggers. */
export function defaultExtensions(): HostExtension[] {
  return [durableExtension(), serviceBusExtension()];
}
