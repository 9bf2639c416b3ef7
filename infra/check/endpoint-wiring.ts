import type { AzureResourcesDefinition } from "../../shared/config/azure-resources";
import { where } from "./bicep-syntax";
import type { Finding } from "./check-infra";
import type { InfraFacts } from "./infra-facts";
import type { ValueTracer } from "./value-origins";

/** An app setting that locates a service: it must be read from that service's resource, at one of these properties. */
export interface EndpointSetting {
  setting: string;
  resourceType: string;
  paths: string[][];
}

const SERVICE_BUS_NAMESPACE = "Microsoft.ServiceBus/namespaces";
const EVENT_HUBS_NAMESPACE = "Microsoft.EventHub/namespaces";
const STORAGE_ACCOUNT = "Microsoft.Storage/storageAccounts";
/** A namespace's host name: its `serviceBusEndpoint` without scheme and port. */
const NAMESPACE_HOST = [["properties", "serviceBusEndpoint"]];

/** The endpoint settings of the identity-based connections the app uses. */
export function endpointSettings({ connections }: AzureResourcesDefinition): EndpointSetting[] {
  return [
    { setting: `${connections.serviceBus}__fullyQualifiedNamespace`, resourceType: SERVICE_BUS_NAMESPACE, paths: NAMESPACE_HOST },
    { setting: `${connections.eventHubs}__fullyQualifiedNamespace`, resourceType: EVENT_HUBS_NAMESPACE, paths: NAMESPACE_HOST },
    ...(["blob", "queue", "table"] as const).map((service) => ({
      setting: `${connections.storage}__${service}ServiceUri`,
      resourceType: STORAGE_ACCOUNT,
      paths: [["properties", "primaryEndpoints", service]],
    })),
  ];
}

/**
 * Each endpoint setting reads its own service's resource, followed across variables, module parameters
 * and outputs: a namespace or endpoint of another resource still deploys, then every call fails.
 */
export function endpointWiringFindings(facts: InfraFacts, tracer: ValueTracer, expected: EndpointSetting[]): Finding[] {
  const findings: Finding[] = [];
  const bySetting = new Map(expected.map((endpoint) => [endpoint.setting, endpoint]));
  for (const setting of facts.appSettings) {
    const endpoint = bySetting.get(setting.name);
    if (!endpoint) continue;
    const resources = tracer.resourcesIn(setting.module, setting.value);
    const right = (resource: (typeof resources)[number]) =>
      resource.type.toLowerCase() === endpoint.resourceType.toLowerCase() && endpoint.paths.some((path) => path.join(".") === resource.path.join("."));
    if (resources.length > 0 && resources.every(right)) continue;
    const read = resources.map((resource) => `${resource.type} '${resource.symbol}' ${resource.path.join(".")}`).join(", ") || setting.expression;
    const wanted = endpoint.paths.map((path) => path.join(".")).join(" or ");
    findings.push({
      rule: "endpoint",
      subject: setting.name,
      message: `${where(setting.location)}: "${setting.name}" must come from a ${endpoint.resourceType}'s ${wanted}, reads ${read}`,
    });
  }
  return findings;
}
