import { Entity, EntityCollection, EntityReference } from "./entity";
import { DateTimeValue, Decimal, DoubleValue, GuidValue, Int64Value, KeyValuePairValue, Money, OptionSetValue, OptionSetValueCollection, UnknownValue } from "./values";

/** The model's classes that hold no other Value. */
const LEAF_CLASSES = [Decimal, DateTimeValue, GuidValue, Int64Value, DoubleValue, OptionSetValue, OptionSetValueCollection, Money, EntityReference, UnknownValue];
const LEAF_PROTOTYPES: ReadonlySet<unknown> = new Set(LEAF_CLASSES.map((type) => type.prototype));

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
  // Checked after every step, through every column of Target: no allocation unless something is refused, and
  // an instance of a leaf class (most columns) is known by its prototype at once (a subclass's, below).
  if (LEAF_PROTOTYPES.has(Object.getPrototypeOf(value)) && !Array.isArray(value)) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const problem = unsupportedValue(value[index]);
      if (problem) return `an array whose item ${index} is ${problem}`;
    }
    return undefined;
  }
  if (value instanceof KeyValuePairValue) {
    const problem = unsupportedValue(value.value);
    return problem && `a KeyValuePair whose value is ${problem}`;
  }
  if (value instanceof Entity) {
    for (const [name, item] of value.attributes.entries()) {
      const problem = unsupportedValue(item);
      if (problem) return `an Entity whose attribute '${name}' is ${problem}`;
    }
    return undefined;
  }
  if (value instanceof EntityCollection) {
    const { entities } = value;
    for (let index = 0; index < entities.length; index++) {
      if (!(entities[index] instanceof Entity)) return `an EntityCollection whose entity ${index} is not an Entity`;
    }
    for (let index = 0; index < entities.length; index++) {
      const problem = unsupportedValue(entities[index]);
      if (problem) return `an EntityCollection whose entity ${index} is ${problem}`;
    }
    return undefined;
  }
  for (const type of LEAF_CLASSES) if (value instanceof type) return undefined;
  const kind = (value as { kind?: unknown }).kind;
  if (kind === "QueryExpression" || kind === "ColumnSet") return undefined;
  if (value instanceof Date) return "a JS Date (a DateTimeValue holds a date)";
  const type = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  return type === Object.prototype || type === null ? "a plain object" : `an instance of ${type.constructor?.name || "an unknown class"}`;
}
