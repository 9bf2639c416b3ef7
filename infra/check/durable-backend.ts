import type { BicepModule } from "./bicep-model";
import { where, type SourceLocation } from "./bicep-syntax";
import type { Finding } from "./check-infra";
import type { InfraFacts } from "./infra-facts";
import { environmentDefaultOf, environmentValueOf, givenParameters } from "./parameters";
import type { ValueTracer } from "./value-origins";

const SCHEDULER = "Microsoft.DurableTask/schedulers";
/** host.json storageProvider type of the Durable Task Scheduler; anything else (default AzureStorage) keeps Azure Storage. */
const SCHEDULER_PROVIDER = "azuremanaged";
/** `if (flag)` or `if (!flag)`: the only switch forms this rule reads. */
const SWITCH = /^\(?\s*(!?)\s*(\w+)\s*\)?$/;

interface SchedulerDeployment {
  condition?: string;
  /** The file whose parameters the condition reads. */
  module: BicepModule;
  location: SourceLocation;
}

/** The module calls (or resources) that deploy a scheduler, with their `if` conditions. */
function schedulerDeployments(facts: InfraFacts, tracer: ValueTracer): SchedulerDeployment[] {
  const deployments: SchedulerDeployment[] = [];
  for (const module of facts.modules) {
    for (const resource of module.resourcesOfType(SCHEDULER)) {
      if (resource.existing) continue;
      const calls = tracer.callsOf(module);
      if (calls.length === 0) deployments.push({ condition: resource.condition, module, location: resource.location });
      for (const call of calls) deployments.push({ condition: call.declaration.condition ?? resource.condition, module: call.caller, location: call.declaration.location });
    }
  }
  return deployments;
}

/**
 * host.json's Durable Functions backend and the deployment's Durable Task Scheduler switch agree by
 * default (main.parameters.json's `${NAME=default}` when it gives the switch, else main.bicep's default):
 * a scheduler deployed while host.json keeps Azure Storage (or the reverse) deploys cleanly, then every
 * orchestration fails or waits on the wrong backend.
 */
export function durableBackendFindings(facts: InfraFacts, tracer: ValueTracer, hostJsonText: string | undefined, parametersText: string | undefined): Finding[] {
  if (hostJsonText === undefined) return [];
  const hostJson = JSON.parse(hostJsonText) as { extensions?: { durableTask?: { storageProvider?: { type?: unknown } } } };
  const durableTask = hostJson.extensions?.durableTask;
  if (!durableTask) return [];
  const providerType = typeof durableTask.storageProvider?.type === "string" ? durableTask.storageProvider.type : "AzureStorage";
  const hostUsesScheduler = providerType.toLowerCase() === SCHEDULER_PROVIDER;
  const given = parametersText ? givenParameters(parametersText) : {};
  const findings: Finding[] = [];
  const report = (subject: string, location: SourceLocation, deploys: string): void => {
    findings.push({
      rule: "durable-backend",
      subject,
      message: `${where(location)}: host.json's durableTask storageProvider is "${providerType}", but ${deploys} ${hostUsesScheduler ? "does not deploy" : "deploys"} the Durable Task Scheduler by default; set both together`,
    });
  };
  for (const deployment of schedulerDeployments(facts, tracer)) {
    if (deployment.condition === undefined) {
      if (!hostUsesScheduler) report(SCHEDULER, deployment.location, "infra/ always");
      continue;
    }
    const match = SWITCH.exec(deployment.condition.trim());
    const parameter = match && deployment.module.params.get(match[2]);
    if (!match || !parameter) {
      report(SCHEDULER, deployment.location, `the condition if ${deployment.condition}, which this check cannot read,`);
      continue;
    }
    const [, negated, name] = match;
    // azd deploys with main.parameters.json's `${NAME=default}` when it gives the parameter, else with main.bicep's default.
    const environmentValue = deployment.module.file === "main.bicep" ? given[name]?.value : undefined;
    const fallback = environmentDefaultOf(environmentValue);
    // `${NAME}` without a default: azd asks for it at every deployment, so there is no default to compare.
    if (typeof environmentValue === "string" && environmentValueOf(environmentValue) && fallback === undefined) continue;
    const [source, value] =
      environmentValue !== undefined
        ? [`main.parameters.json's ${name} ${JSON.stringify(environmentValue)}`, typeof environmentValue === "boolean" ? environmentValue : fallback?.toLowerCase() === "true"]
        : [`${deployment.module.file}'s parameter ${name} = ${parameter.defaultValue?.text ?? "(no default)"}`, parameter.defaultValue && deployment.module.evaluate(parameter.defaultValue)];
    if (typeof value !== "boolean" || (negated ? !value : value) !== hostUsesScheduler) report(name, deployment.location, source);
  }
  return findings;
}
