import type { BicepModule } from "./bicep-model";
import { where } from "./bicep-syntax";
import type { Finding } from "./check-infra";
import type { InfraFacts } from "./infra-facts";
import type { ValueTracer } from "./value-origins";

/** One row of the README's "azd environment value | parameter | default" table. */
interface DocumentedEnvironmentValue {
  name: string;
  /** The main.bicep parameter the row names, when it names one. */
  parameter?: string;
}

/** The `parameters` of main.parameters.json. */
export function givenParameters(parametersText: string): Record<string, { value?: unknown }> {
  return (JSON.parse(parametersText) as { parameters?: Record<string, { value?: unknown }> }).parameters ?? {};
}

const ENVIRONMENT_VALUE = /^\$\{(\w+)(?:=(.*))?\}$/;

/** `${NAME}` or `${NAME=default}`: the azd environment value a parameter is read from. */
export const environmentValueOf = (value: unknown): string | undefined => (typeof value === "string" ? ENVIRONMENT_VALUE.exec(value)?.[1] : undefined);

/** The default of `${NAME=default}` (azd uses it when the environment has no NAME); undefined for `${NAME}` or anything else. */
export const environmentDefaultOf = (value: unknown): string | undefined => (typeof value === "string" ? ENVIRONMENT_VALUE.exec(value)?.[2] : undefined);

/** The rows of the README's azd environment table (first column `NAME`, parameter named in the second). */
export function documentedEnvironmentValues(readmeText: string, parameters: ReadonlySet<string>): DocumentedEnvironmentValue[] {
  const lines = readmeText.split(/\r?\n/);
  const header = lines.findIndex((line) => /^\|\s*azd environment value\s*\|/i.test(line));
  if (header < 0) return [];
  const rows: DocumentedEnvironmentValue[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const [first = "", second = ""] = line.split("|").slice(1);
    const name = /`(\w+)`/.exec(first)?.[1];
    const parameter = [...second.matchAll(/`(\w+)`/g)].map((match) => match[1]).find((word) => parameters.has(word));
    if (name) rows.push({ name, parameter });
  }
  return rows;
}

/** Settings each module parameter flows into, by `file#parameter`. */
function settingsFedByParameters(facts: InfraFacts, tracer: ValueTracer): Map<string, string[]> {
  const fed = new Map<string, string[]>();
  for (const setting of facts.appSettings) {
    for (const parameter of tracer.parametersIn(setting.module, setting.value)) {
      const key = `${setting.module.file}#${parameter}`;
      fed.set(key, [...(fed.get(key) ?? []), setting.name]);
    }
  }
  return fed;
}

/**
 * main.bicep's parameters reach the app settings: every module parameter that feeds a setting gets the
 * caller's parameter of the same name when the caller has one; main.bicep's parameters that feed settings
 * are read from azd environment values in main.parameters.json, under the names the README documents;
 * main.parameters.json gives every parameter without a default, and only parameters main.bicep declares.
 */
export function parameterFindings(facts: InfraFacts, tracer: ValueTracer, parametersText: string | undefined, readmeText: string | undefined): Finding[] {
  const main = facts.modules.find((module) => module.file === "main.bicep");
  if (!main) return [{ rule: "parameters", subject: "main.bicep", message: "infra/main.bicep is missing" }];
  const findings: Finding[] = [];
  const fed = settingsFedByParameters(facts, tracer);
  /** main.bicep parameter → the settings it reaches through a module call. */
  const mainFeeds = new Map<string, string[]>();
  for (const caller of facts.modules) {
    for (const declaration of caller.moduleDeclarations) {
      const target = tracer.targetOf(caller, declaration);
      if (!target) continue;
      for (const parameter of target.params.keys()) {
        const settings = fed.get(`${target.file}#${parameter}`);
        if (!settings) continue;
        const argument = tracer.argument({ caller, declaration, target }, parameter);
        const reads = argument ? tracer.parametersIn(caller, argument) : new Set<string>();
        if (caller.params.has(parameter) && !reads.has(parameter)) {
          findings.push({
            rule: "parameter-passing",
            subject: parameter,
            message: `${where(declaration.location)}: module '${declaration.symbol}' does not pass ${caller.file}'s parameter "${parameter}" on to ${target.file}, so app setting ${settings.join(", ")} does not get its value`,
          });
        }
        if (caller === main) for (const name of reads) mainFeeds.set(name, [...(mainFeeds.get(name) ?? []), ...settings]);
      }
    }
  }
  if (parametersText === undefined) return [...findings, { rule: "parameters", subject: "main.parameters.json", message: "infra/main.parameters.json is missing" }];
  const given = givenParameters(parametersText);
  findings.push(...parameterFileFindings(main, given, mainFeeds, readmeText));
  return findings;
}

function parameterFileFindings(main: BicepModule, given: Record<string, { value?: unknown }>, mainFeeds: Map<string, string[]>, readmeText: string | undefined): Finding[] {
  const findings = new Map<string, Finding>();
  const report = (subject: string, message: string): void => {
    if (!findings.has(subject)) findings.set(subject, { rule: "parameters", subject, message });
  };
  for (const [name, param] of main.params) {
    if (!param.defaultValue && !given[name]) report(name, `parameter "${name}" of main.bicep has no default and no value in main.parameters.json`);
  }
  for (const name of Object.keys(given)) {
    if (!main.params.has(name)) report(name, `main.parameters.json sets "${name}", which main.bicep does not declare`);
  }
  for (const [name, settings] of mainFeeds) {
    if (!environmentValueOf(given[name]?.value)) {
      report(name, `parameter "${name}" of main.bicep sets app setting ${[...new Set(settings)].join(", ")}, but main.parameters.json does not read it from an azd environment value`);
    }
  }
  const documented = readmeText !== undefined ? documentedEnvironmentValues(readmeText, new Set(main.params.keys())) : [];
  for (const { name, parameter } of documented) {
    const readFrom = parameter ? [environmentValueOf(given[parameter]?.value)] : Object.values(given).map((entry) => environmentValueOf(entry.value));
    if (!readFrom.includes(name)) {
      report(parameter ?? name, `README's azd environment table documents ${name}${parameter ? ` for parameter "${parameter}"` : ""}, but main.parameters.json does not read it${parameter ? " for that parameter" : ""}`);
    }
  }
  return [...findings.values()];
}
