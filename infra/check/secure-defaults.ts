import { Opaque, type BicepValue } from "./bicep-model";
import { where } from "./bicep-syntax";
import type { Finding } from "./check-infra";
import type { InfraFacts } from "./infra-facts";

/** A property every declared resource of a type (and name) must set to one of the allowed values. */
export interface SecureDefault {
  type: string;
  /** Only the resource of this name (e.g. the `ftp` publishing policy of a site). */
  name?: string;
  path: string[];
  allowed: BicepValue[];
  why: string;
}

/** Secure settings Azure does not make by itself (or made differently in older API versions): absent counts as wrong. */
export const SECURE_DEFAULTS: readonly SecureDefault[] = [
  { type: "Microsoft.Web/sites", path: ["properties", "httpsOnly"], allowed: [true], why: "plain HTTP would reach the Web API" },
  { type: "Microsoft.Web/sites", path: ["properties", "siteConfig", "minTlsVersion"], allowed: ["1.2", "1.3"], why: "TLS 1.0 and 1.1 are broken" },
  { type: "Microsoft.Web/sites", path: ["properties", "siteConfig", "ftpsState"], allowed: ["Disabled"], why: "deployment goes through azd with Entra ID, never FTP" },
  { type: "Microsoft.Web/sites/basicPublishingCredentialsPolicies", name: "ftp", path: ["properties", "allow"], allowed: [false], why: "basic-auth publishing would accept a password" },
  { type: "Microsoft.Web/sites/basicPublishingCredentialsPolicies", name: "scm", path: ["properties", "allow"], allowed: [false], why: "basic-auth publishing would accept a password" },
  { type: "Microsoft.Storage/storageAccounts", path: ["properties", "allowBlobPublicAccess"], allowed: [false], why: "a container could be made public" },
  { type: "Microsoft.Storage/storageAccounts", path: ["properties", "minimumTlsVersion"], allowed: ["TLS1_2", "TLS1_3"], why: "TLS 1.0 and 1.1 are broken" },
  { type: "Microsoft.Storage/storageAccounts", path: ["properties", "supportsHttpsTrafficOnly"], allowed: [true], why: "plain HTTP would reach the account" },
  { type: "Microsoft.ServiceBus/namespaces", path: ["properties", "minimumTlsVersion"], allowed: ["1.2", "1.3"], why: "TLS 1.0 and 1.1 are broken" },
  { type: "Microsoft.EventHub/namespaces", path: ["properties", "minimumTlsVersion"], allowed: ["1.2", "1.3"], why: "TLS 1.0 and 1.1 are broken" },
];

const shown = (value: BicepValue | undefined): string => (value === undefined ? "nothing" : value instanceof Opaque ? value.text : JSON.stringify(value));

/** Every declared (not `existing`) resource keeps the secure settings of `SECURE_DEFAULTS`. */
export function secureDefaultFindings(facts: InfraFacts, rules: readonly SecureDefault[] = SECURE_DEFAULTS): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    for (const module of facts.modules) {
      for (const resource of module.resourcesOfType(rule.type)) {
        if (resource.existing || (rule.name !== undefined && module.namesOf(resource)[0] !== rule.name)) continue;
        let node = resource.body as typeof resource.body | undefined;
        for (const key of rule.path) node = module.property(node, key);
        const value = node && module.evaluate(node);
        if (rule.allowed.some((allowed) => allowed === value)) continue;
        const property = rule.path.join(".");
        findings.push({
          rule: "secure-default",
          subject: `${resource.symbol}.${property}`,
          message: `${where(resource.location)}: ${rule.type} '${resource.symbol}' has ${property} ${shown(value)}, must be ${rule.allowed.map((allowed) => JSON.stringify(allowed)).join(" or ")}: ${rule.why}`,
        });
      }
    }
  }
  return findings;
}
