import { Entity, type RemoteExecutionContext } from "../model";
import { encodeValueJson } from "../serialization";

/**
 * The Target's attributes as their Dataverse JSON literals (`9007199254740993`, `{"__type":"Money:…","Value":1.5000}`),
 * so that the receipt's `target` column shows exactly what the listener read; undefined when the Target is not a record (or was
 * dropped from a truncated message).
 */
export function targetAttributes(context: RemoteExecutionContext): Record<string, string> | undefined {
  const target = context.inputParameters.get("Target");
  if (!(target instanceof Entity)) return undefined;
  return Object.fromEntries([...target.attributes].map(([name, value]) => [name, encodeValueJson(value)]));
}
