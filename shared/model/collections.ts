import type { Entity, EntityCollection } from "./entity";
import { toValue, type Value, type ValueInput } from "./values";

/** `OrganizationRequest.Parameters`, `OrganizationResponse.Results` and `SharedVariables`: ordered, unique keys. */
export type ParameterCollection = Map<string, Value>;
/** An entity's attribute values by logical name, in the order they were set. */
export type AttributeCollection = Map<string, Value>;
/** Localized display text of attribute values (`"Yes"`, `"987,654,321"`). */
export type FormattedValueCollection = Map<string, string>;
/** Alternate-key values that identify a record. */
export type KeyAttributeCollection = Map<string, Value>;
/** Pre/post entity images by alias. */
export type EntityImageCollection = Map<string, Entity>;

export const EntityRole = { Referencing: 0, Referenced: 1 } as const;
export type EntityRole = (typeof EntityRole)[keyof typeof EntityRole];

export interface Relationship {
  schemaName: string;
  primaryEntityRole: EntityRole | null;
}

/** An entity's related records by relationship (a list: its keys are relationships, not strings). */
export type RelatedEntityCollection = Array<{ relationship: Relationship; entities: EntityCollection }>;

/** Plain-object or Map input for any collection; values are converted with `toValue`. */
export type CollectionInput = Record<string, ValueInput> | Map<string, ValueInput>;

export function toCollection(input?: CollectionInput): Map<string, Value> {
  if (input === undefined) return new Map();
  const entries = input instanceof Map ? [...input] : Object.entries(input);
  return new Map(entries.map(([key, value]) => [key, toValue(value)]));
}
