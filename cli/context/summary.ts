import { contextChain, type RemoteExecutionContext, type Value } from "../../shared/model";
import { formatXmlDate } from "../../shared/serialization/xml-date";

const STAGES: Record<number, string> = { 10: "PreValidation", 20: "PreOperation", 30: "MainOperation", 40: "PostOperation", 50: "PostOperation (deprecated)" };
const MODES: Record<number, string> = { 0: "Synchronous", 1: "Asynchronous" };

/** A short, readable description of a value in a parameter, attribute or shared-variable slot. */
export function describeValue(value: Value): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? "" : "s"}]`;
  switch (value.kind) {
    case "Entity": {
      const names = [...value.attributes.keys()];
      const shown = names.length > 6 ? `${names.slice(0, 6).join(", ")}, …` : names.join(", ");
      return `Entity ${value.logicalName} ${value.id} (${names.length} attribute${names.length === 1 ? "" : "s"}${names.length ? `: ${shown}` : ""})`;
    }
    case "EntityReference":
      return `EntityReference ${value.logicalName} ${value.id}${value.name === null ? "" : ` "${value.name}"`}`;
    case "EntityCollection":
      return `EntityCollection of ${value.entities.length} ${value.entityName ?? "record"}(s)`;
    case "QueryExpression":
      return `QueryExpression on ${value.entityName} (${value.columnSet.allColumns ? "all columns" : `${value.columnSet.columns.length} columns`}, ${value.criteria.conditions.length} conditions)`;
    case "ColumnSet":
      return `ColumnSet (${value.allColumns ? "all columns" : value.columns.join(", ")})`;
    case "OptionSetValue":
      return `OptionSetValue ${value.value}`;
    case "OptionSetValueCollection":
      return `OptionSetValueCollection [${value.values.map((choice) => choice.value).join(", ")}]`;
    case "Money":
      return `Money ${value.value.text}`;
    case "Decimal":
      return `Decimal ${value.text}`;
    case "DateTime":
      return `DateTime ${formatXmlDate(value)}`;
    case "Guid":
      return `Guid ${value.value}`;
    case "Int64":
      return `Int64 ${value.value}`;
    case "Double":
      return `Double ${value.value}`;
    case "KeyValuePair":
      return `${value.key} = ${describeValue(value.value)}`;
    case "Unknown":
      return "value of an unknown type (kept as read)";
  }
}

function section(title: string, entries: Map<string, Value>): string[] {
  const lines = [`${title} (${entries.size})${entries.size ? ":" : ""}`];
  for (const [key, value] of entries) lines.push(`  ${key}: ${describeValue(value)}`);
  return lines;
}

function headline(context: RemoteExecutionContext): string {
  const stage = `${context.stage} ${STAGES[context.stage] ?? "internal"}`;
  const entityName = context.primaryEntityName ? ` of ${context.primaryEntityName} ${context.primaryEntityId}` : "";
  return `${context.messageName}${entityName}, stage ${stage}, ${MODES[context.mode] ?? `mode ${context.mode}`}, depth ${context.depth}`;
}

/** The `inspect` command's report. */
export function summarize(context: RemoteExecutionContext): string {
  const owning = context.owningExtension;
  const lines = [
    `Message:            ${headline(context)}`,
    `In transaction:     ${context.isInTransaction ? "yes" : "no"}, isolation mode ${context.isolationMode}`,
    `Organization:       ${context.organizationName} ${context.organizationId}`,
    `Correlation id:     ${context.correlationId}`,
    `Operation id:       ${context.operationId} (created ${formatXmlDate(context.operationCreatedOn)})`,
    `Request id:         ${context.requestId ?? "none"}`,
    `User:               ${context.userId} (initiating ${context.initiatingUserId}, business unit ${context.businessUnitId})`,
    `Owning extension:   ${owning ? `${owning.logicalName} ${owning.id}${owning.name === null ? "" : ` "${owning.name}"`}` : "none"}`,
    ...section("Input parameters", context.inputParameters),
    ...section("Output parameters", context.outputParameters),
    ...section("Pre-entity images", context.preEntityImages),
    ...section("Post-entity images", context.postEntityImages),
    ...section("Shared variables", context.sharedVariables),
  ];
  const parents = contextChain(context).slice(1);
  lines.push(`ParentContext chain (${parents.length})${parents.length ? ":" : ""}`);
  parents.forEach((parent, i) => {
    lines.push(`  ${i + 1}. ${headline(parent)}`);
    lines.push(`     input: ${[...parent.inputParameters.keys()].join(", ") || "none"}; shared variables: ${[...parent.sharedVariables.keys()].join(", ") || "none"}`);
  });
  return lines.join("\n");
}
