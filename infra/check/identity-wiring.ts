import type { BicepModule } from "./bicep-model";
import { where, type SyntaxNode } from "./bicep-syntax";
import type { Finding } from "./check-infra";
import type { InfraFacts } from "./infra-facts";
import type { ValueOrigin, ValueTracer } from "./value-origins";

const USER_ASSIGNED_IDENTITY = "microsoft.managedidentity/userassignedidentities";
/** `ClientId=` (Application Insights) or `ClientID=` (Durable Task Scheduler) right before an interpolation. */
const CLIENT_ID_PREFIX = /ClientId=$/i;

export interface IdentitySettingNames {
  /** The setting DefaultAzureCredential reads the identity's client id from (`AZURE_CLIENT_ID`). */
  clientId: string;
  /** Application Insights' Entra ID setting, `ClientId=<client id>;Authorization=AAD`. */
  appInsightsAuthentication: string;
}

type IdentityProperty = "id" | "properties.clientId" | "properties.principalId";

const shown = (origins: ValueOrigin[]): string =>
  origins.map((origin) => (origin.kind === "resource" ? `${origin.symbol}.${origin.path.join(".")}` : origin.kind === "parameter" ? `parameter ${origin.name} of ${origin.file}` : origin.text)).join(" or ") || "nothing";

/**
 * The user-assigned identity is wired through: the site runs as it, every `__clientId` setting,
 * `AZURE_CLIENT_ID` and each `ClientId=` names its client id, and every role assignment grants to its
 * principal id as a ServicePrincipal. Any of these wrong still deploys, then fails at runtime (403s,
 * dropped telemetry).
 */
export function identityWiringFindings(facts: InfraFacts, tracer: ValueTracer, names: IdentitySettingNames): Finding[] {
  const findings: Finding[] = [];
  const report = (subject: string, message: string): void => {
    findings.push({ rule: "identity", subject, message });
  };

  const siteIdentities = new Set<string>();
  const sites = facts.modules.flatMap((module) => module.resourcesOfType("Microsoft.Web/sites").filter((site) => !site.existing).map((site) => ({ module, site })));
  for (const { module, site } of sites) {
    const identity = module.property(site.body, "identity");
    const typeNode = module.property(identity, "type");
    const type = typeNode && module.evaluate(typeNode);
    const listed = module.property(identity, "userAssignedIdentities");
    const identities = (listed?.type === "object" ? listed.namedChildren : [])
      .filter((entry) => entry.type === "object_property")
      .flatMap((entry) => identityKeys(module, tracer, entry.namedChildren[0]));
    if (type !== "UserAssigned" || identities.length === 0) {
      report(site.symbol, `${where(site.location)}: site '${site.symbol}' must run as the user-assigned identity (identity type 'UserAssigned' listing it), has ${typeof type === "string" ? `'${type}'` : "no identity type"}${identities.length === 0 ? " and none listed" : ""}`);
      continue;
    }
    for (const key of identities) siteIdentities.add(key);
  }
  // Without a site that runs as one, every declared user-assigned identity counts, so one mistake gives one finding.
  if (siteIdentities.size === 0) {
    for (const module of facts.modules) {
      for (const resource of module.resourcesOfType(USER_ASSIGNED_IDENTITY)) if (!resource.existing) siteIdentities.add(`${module.file}#${resource.symbol}`);
    }
  }

  const traces = (origins: ValueOrigin[], property: IdentityProperty): boolean =>
    origins.length > 0 &&
    origins.every(
      (origin) =>
        origin.kind === "resource" &&
        origin.type.toLowerCase() === USER_ASSIGNED_IDENTITY &&
        siteIdentities.has(`${origin.file}#${origin.symbol}`) &&
        origin.path.join(".") === property,
    );

  for (const { module, site } of sites) {
    const authentication = module.property(module.property(module.property(module.property(module.property(site.body, "properties"), "functionAppConfig"), "deployment"), "storage"), "authentication");
    const resourceId = module.property(authentication, "userAssignedIdentityResourceId");
    if (resourceId && !traces(tracer.origins(module, resourceId), "id")) {
      report(`${site.symbol}.deployment`, `${where(site.location)}: the deployment container is read with ${resourceId.text}, not the site's user-assigned identity`);
    }
  }

  for (const setting of facts.appSettings) {
    const location = where(setting.location);
    if (/__clientId$/i.test(setting.name) || setting.name === names.clientId) {
      const origins = tracer.origins(setting.module, setting.value);
      if (!traces(origins, "properties.clientId")) report(setting.name, `${location}: "${setting.name}" must be the user-assigned identity's client id, is ${shown(origins)}`);
      continue;
    }
    const clientIds = clientIdInterpolations(setting.module, setting.value);
    for (const expression of clientIds) {
      const origins = tracer.origins(setting.module, expression);
      if (!traces(origins, "properties.clientId")) report(setting.name, `${location}: the ClientId= of "${setting.name}" must be the user-assigned identity's client id, is ${shown(origins)}`);
    }
    if (setting.name === names.appInsightsAuthentication && clientIds.length === 0) {
      report(setting.name, `${location}: "${setting.name}" must be 'ClientId=<the identity's client id>;Authorization=AAD'; without ClientId the SDK asks for a system-assigned identity the site does not have`);
    }
  }

  for (const assignment of facts.roleAssignments) {
    const location = where(assignment.location);
    const origins = assignment.principalId ? tracer.origins(assignment.module, assignment.principalId) : [];
    if (!traces(origins, "properties.principalId")) {
      report(assignment.symbol, `${location}: role assignment '${assignment.symbol}' must grant to the user-assigned identity's principal id, grants to ${shown(origins)}`);
    }
    if (assignment.principalType !== "ServicePrincipal") {
      report(assignment.symbol, `${location}: role assignment '${assignment.symbol}' must have principalType 'ServicePrincipal' (a managed identity), has ${JSON.stringify(assignment.principalType ?? null)}`);
    }
  }
  return findings;
}

/** `file#symbol` of the user-assigned identities a `userAssignedIdentities` key names (`'${identity.id}'`). */
function identityKeys(module: BicepModule, tracer: ValueTracer, key: SyntaxNode): string[] {
  const parts = key.type === "string" ? key.namedChildren : [];
  if (parts.length !== 1 || parts[0].type !== "interpolation") return [];
  const origins = tracer.origins(module, parts[0].namedChildren[0]);
  return origins.every((origin) => origin.kind === "resource" && origin.type.toLowerCase() === USER_ASSIGNED_IDENTITY && origin.path.join(".") === "id")
    ? origins.map((origin) => `${origin.file}#${(origin as { symbol: string }).symbol}`)
    : [];
}

/** The expressions interpolated right after `ClientId=` in a string value (or the variable holding it). */
function clientIdInterpolations(module: BicepModule, value: SyntaxNode, depth = 0): SyntaxNode[] {
  if (value.type === "identifier" && module.vars.has(value.text) && depth < 10) return clientIdInterpolations(module, module.vars.get(value.text)!, depth + 1);
  if (value.type !== "string") return [];
  const found: SyntaxNode[] = [];
  let before = "";
  for (const part of value.namedChildren) {
    if (part.type === "interpolation" && CLIENT_ID_PREFIX.test(before)) found.push(part.namedChildren[0]);
    before = part.type === "interpolation" ? "" : before + part.text;
  }
  return found;
}
