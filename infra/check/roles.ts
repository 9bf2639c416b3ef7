import type { Capability } from "./app-usage";

export interface BuiltInRole {
  /** Role definition GUID, the same in every tenant. */
  id: string;
  displayName: string;
  /** The resource type an assignment of this role must be scoped to. */
  scopeType: string;
  /** The uses that need it; the role is needed when any of them occurs. */
  neededFor: readonly Capability[] | "always";
}

/** The data-plane roles the Function App's identity may hold, each for the uses that need it. */
export const builtInRoles = {
  storageBlobDataOwner: {
    id: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    displayName: "Storage Blob Data Owner",
    scopeType: "Microsoft.Storage/storageAccounts",
    // The host keeps its leases and keys in blobs and reads the deployment package from a container.
    neededFor: "always",
  },
  storageQueueDataContributor: {
    id: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    displayName: "Storage Queue Data Contributor",
    scopeType: "Microsoft.Storage/storageAccounts",
    // Durable Functions' queues on the Azure Storage backend. host.json, not a deployment switch, picks the
    // backend, so the role goes with every deployment: without it a host.json on Azure Storage deploys, then 403s.
    neededFor: "always",
  },
  storageTableDataContributor: {
    id: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    displayName: "Storage Table Data Contributor",
    scopeType: "Microsoft.Storage/storageAccounts",
    neededFor: ["storageTable", "durableAzureStorage"],
  },
  serviceBusDataSender: {
    id: "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
    displayName: "Azure Service Bus Data Sender",
    scopeType: "Microsoft.ServiceBus/namespaces",
    neededFor: ["serviceBusSend"],
  },
  serviceBusDataReceiver: {
    id: "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
    displayName: "Azure Service Bus Data Receiver",
    scopeType: "Microsoft.ServiceBus/namespaces",
    neededFor: ["serviceBusReceive"],
  },
  eventHubsDataSender: {
    id: "2b629674-e913-4c01-ae53-ef4638d8f975",
    displayName: "Azure Event Hubs Data Sender",
    scopeType: "Microsoft.EventHub/namespaces",
    neededFor: ["eventHubsSend"],
  },
  eventHubsDataReceiver: {
    id: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
    displayName: "Azure Event Hubs Data Receiver",
    scopeType: "Microsoft.EventHub/namespaces",
    neededFor: ["eventHubsReceive"],
  },
  durableTaskDataContributor: {
    id: "0ad04412-c4d5-4796-b79c-f76d14c8d402",
    displayName: "Durable Task Data Contributor",
    scopeType: "Microsoft.DurableTask/schedulers",
    neededFor: ["durableTaskScheduler"],
  },
  monitoringMetricsPublisher: {
    id: "3913510d-42f4-4e42-8a64-420c390055eb",
    displayName: "Monitoring Metrics Publisher",
    scopeType: "Microsoft.Insights/components",
    // Application Insights has local auth off: telemetry goes with the identity's token.
    neededFor: "always",
  },
} as const satisfies Record<string, BuiltInRole>;

export type RoleKey = keyof typeof builtInRoles;

export function roleById(id: string): [RoleKey, BuiltInRole] | undefined {
  const entry = Object.entries(builtInRoles).find(([, role]) => role.id === id.toLowerCase());
  return entry as [RoleKey, BuiltInRole] | undefined;
}

/** The roles the uses call for. */
export function requiredRoles(capabilities: ReadonlySet<Capability>): RoleKey[] {
  return (Object.entries(builtInRoles) as [RoleKey, BuiltInRole][])
    .filter(([, role]) => role.neededFor === "always" || role.neededFor.some((use) => capabilities.has(use)))
    .map(([key]) => key);
}
