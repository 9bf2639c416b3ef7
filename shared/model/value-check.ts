import { Entity, EntityCollection, EntityReference } from "./entity";
import { DateTimeValue, Decimal, DoubleValue, GuidValue, Int64Value, KeyValuePairValue, Money, OptionSetValue, OptionSetValueCollection, UnknownValue } from "./values";

/** The model's classes that hold no other Value. */
const LEAF_CLASSES = [Decimal, DateTimeValue, GuidValue, Int64Value, DoubleValue, OptionSetValue, OptionSetValueCollection, Money, EntityReference, UnknownValue];

/** What `unsupportedValue` accepts, for a message to a plug-in author. */
export const SUPPORTED_VALUES = `a string, number, boolean, null, ${[...LEAF_CLASSES.filter((type) => type !== UnknownValue), KeyValuePairValue, Entity, EntityCollection]
  .map((type) => type.name)
  .join(", ")}, QueryExpression, ColumnSet or an array of these`;

/**
 * What makes `value` something an execution context cannot hold (it could not be serialized), e.g.
 * "a function"; undefined when it is a Value: null, a string, a finite number, a boolean, one of the
 * model's value classes, a QueryExpression or ColumnSet, or an array, KeyValuePair, Entity or EntityCollection of Values.
 */
export function unsupportedValue(value: unknown): string | undefined {
  if (value === null) return undefined;
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `the number ${value}`;
    case "function":
      return "a function";
    case "object":
      break;
    default:
      return value === undefined ? "undefined" : `a ${typeof value}`;
  }
  if (Array.isArray(value)) return firstInside(value.entries(), (index) => `an array whose item ${index}`);
  if (value instanceof KeyValuePairValue) return firstInside([["value", value.value]], () => "a KeyValuePair whose value");
  if (value instanceof Entity) return firstInside(value.attributes.entries(), (name) => `an Entity whose attribute '${name}'`);
  if (value instanceof EntityCollection) {
    const stray = value.entities.findIndex((entity) => !(entity instanceof Entity));
    if (stray >= 0) return `an EntityCollection whose entity ${stray} is not an Entity`;
    return firstInside(value.entities.entries(), (index) => `an EntityCollection whose entity ${index}`);
  }
  if (LEAF_CLASSES.some((type) => value instanceof type)) return undefined;
  const kind = (value as { kind?: unknown }).kind;
  if (kind === "QueryExpression" || kind === "ColumnSet") return undefined;
  if (value instanceof Date) return "a JS Date (a DateTimeValue holds a date)";
  const type = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  return type === Object.prototype || type === null ? "a plain object" : `an instance of ${type.constructor?.name || "an unknown class"}`;
}

function firstInside<K>(entries: Iterable<[K, unknown]>, container: (key: K) => string): string | undefined {
  for (const [key, item] of entries) {
    const problem = unsupportedValue(item);
    if (problem) return `${container(key)} is ${problem}`;
  }
  return undefined;
}
