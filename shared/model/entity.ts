import { EMPTY_GUID, normalizeGuid, type Guid } from "./guid";
import type { Extensible, UnknownMember } from "./json-node";
import {
  toCollection,
  type AttributeCollection,
  type CollectionInput,
  type FormattedValueCollection,
  type KeyAttributeCollection,
  type RelatedEntityCollection,
} from "./collections";
import { toValue, type Value, type ValueInput } from "./values";

export const EntityState = { Unchanged: 0, Created: 1, Changed: 2 } as const;
export type EntityState = (typeof EntityState)[keyof typeof EntityState];

/** A record: logical name, id and attribute values (plus formatted values, keys and related records). */
export class Entity implements Extensible {
  readonly kind = "Entity" as const;
  logicalName: string;
  id: Guid;
  attributes: AttributeCollection;
  formattedValues: FormattedValueCollection = new Map();
  keyAttributes: KeyAttributeCollection = new Map();
  relatedEntities: RelatedEntityCollection = [];
  entityState: EntityState | null = null;
  rowVersion: string | null = null;
  unknownMembers?: UnknownMember[];

  constructor(logicalName: string, id: Guid = EMPTY_GUID, attributes?: CollectionInput) {
    this.logicalName = logicalName;
    this.id = normalizeGuid(id);
    this.attributes = attributes === undefined ? new Map() : toCollection(attributes);
  }

  get<T extends Value = Value>(name: string): T | undefined {
    return this.attributes.get(name) as T | undefined;
  }

  set(name: string, value: ValueInput): this {
    this.attributes.set(name, toValue(value));
    return this;
  }

  has(name: string): boolean {
    return this.attributes.has(name);
  }

  toEntityReference(): EntityReference {
    return new EntityReference(this.logicalName, this.id);
  }
}

/** A pointer to a record (lookup value, OwningExtension). */
export class EntityReference implements Extensible {
  readonly kind = "EntityReference" as const;
  logicalName: string;
  id: Guid;
  name: string | null;
  keyAttributes: KeyAttributeCollection = new Map();
  rowVersion: string | null = null;
  unknownMembers?: UnknownMember[];

  constructor(logicalName: string, id: Guid = EMPTY_GUID, name: string | null = null) {
    this.logicalName = logicalName;
    this.id = normalizeGuid(id);
    this.name = name;
  }
}

/** A page of records (RetrieveMultiple results, activity parties). */
export class EntityCollection implements Extensible {
  readonly kind = "EntityCollection" as const;
  entities: Entity[];
  entityName: string | null;
  minActiveRowVersion: string | null = "-1";
  moreRecords = false;
  pagingCookie: string | null = null;
  totalRecordCount = -1;
  totalRecordCountLimitExceeded = false;
  unknownMembers?: UnknownMember[];

  constructor(entities: Entity[] = [], entityName: string | null = entities[0]?.logicalName ?? null) {
    this.entities = entities;
    this.entityName = entityName;
  }
}

/** `entity("account", id, { name: "Contoso", revenue: money("10.50") })` */
export function entity(logicalName: string, id: Guid = EMPTY_GUID, attributes?: CollectionInput): Entity {
  return new Entity(logicalName, id, attributes);
}

export function entityReference(logicalName: string, id: Guid, name: string | null = null): EntityReference {
  return new EntityReference(logicalName, id, name);
}

export function entityCollection(entities: Entity[], entityName?: string | null): EntityCollection {
  return new EntityCollection(entities, entityName);
}
