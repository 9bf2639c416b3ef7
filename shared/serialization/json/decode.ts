// Imported from the defining modules, not the model's index: CommonJS re-exports are getters, and this is a hot path.
import type { RemoteExecutionContext } from "../../model/context";
import { tryNormalizeGuid } from "../../model/guid";
import type { Extensible, UnknownMember } from "../../model/json-node";
import {
  Decimal,
  DateTimeValue,
  DoubleValue,
  GuidValue,
  Int64Value,
  KeyValuePairValue,
  OptionSetValue,
  OptionSetValueCollection,
  UnknownValue,
  type Value,
} from "../../model/values";
import { REMOTE_EXECUTION_CONTEXT, RELATIONSHIP, ENTITY_COLLECTION, SLOT_CONTRACTS, type Contract, type FieldType, type Member } from "../contracts";
import { parseWcfDate } from "../wcf-date";
import { isPlainIntegerLiteral, readWithPath, type JsonReader } from "./reader";

/**
 * Reads a RemoteExecutionContext from Dataverse JSON. Tolerant where Dataverse's reader is
 * (whitespace, unescaped `/`, boxed primitives, unknown members — kept), strict elsewhere:
 * anything else fails with PipelineError("InvalidFormat") naming the member's path.
 */
export function decodeContextJson(text: string): RemoteExecutionContext {
  return readWithPath(text, (reader) => {
    const context = readContractObject(reader, REMOTE_EXECUTION_CONTEXT) as RemoteExecutionContext;
    reader.end();
    return context;
  });
}

/** Reads one value of an object-typed slot (e.g. from a captured attribute value). */
export function decodeValueJson(text: string): Value {
  return readWithPath(text, (reader) => {
    const value = readAny(reader);
    reader.end();
    return value;
  });
}

function readContractObject(r: JsonReader, contract: Contract): object {
  let name = r.beginObject();
  if (name === "__type") {
    // A hint on a member whose declared type already says it: accepted, as Dataverse's reader does.
    r.enter(name);
    r.readString();
    r.leave();
    name = r.nextMember();
  }
  return readContractMembers(r, contract, name);
}

/** Reads the members of an object already opened; `name` is the first unread member's name. */
function readContractMembers(r: JsonReader, contract: Contract, name: string | undefined): object {
  const target = contract.create() as Extensible;
  const members = contract.members;
  let expected = 0;
  let last: string | null = null;
  let unknown: UnknownMember[] | undefined;
  // Members usually come in contract order: the expected one is checked before the name is looked up.
  for (; name !== undefined; name = r.nextMemberExpecting(members[expected]?.key, members[expected]?.name)) {
    r.enter(name);
    let member: Member | undefined = members[expected];
    if (member !== undefined && member.name === name) expected++;
    else if ((member = contract.byName.get(name)) !== undefined) expected = members.indexOf(member) + 1;
    if (member) {
      member.set(target, readField(r, member.type));
      last = name;
    } else {
      (unknown ??= []).push({ name, value: r.readNode(), after: last });
    }
    r.leave();
  }
  if (unknown) target.unknownMembers = unknown;
  return target;
}

function readField(r: JsonReader, type: FieldType): unknown {
  switch (type.t) {
    // Most frequent first: attribute/parameter values, collections, ids.
    case "any":
      return readAny(r);
    case "map":
      return readMap(r, type.of);
    case "string":
      if (type.nullable && r.tryNull()) return null;
      return r.readString();
    case "int":
      if (type.nullable && r.tryNull()) return null;
      return readInteger(r);
    case "bool":
      return r.readBoolean();
    case "guid":
      if (type.nullable && r.tryNull()) return null;
      return readGuid(r);
    case "decimal":
      return new Decimal(r.readNumberLiteral());
    case "date":
      return readDate(r);
    case "json":
      return r.readNode();
    case "list":
      return readList(r, type.of);
    case "relatedEntities":
      return readRelatedEntities(r);
    case "contract":
      if (type.nullable && r.tryNull()) return null;
      return readContractObject(r, type.contract);
  }
}

function readInteger(r: JsonReader): number {
  const literal = r.readNumberLiteral();
  const value = Number(literal);
  if (!Number.isSafeInteger(value) || /[.eE]/.test(literal)) r.fail(`expected an integer, found ${literal}`);
  return value;
}

function readDouble(r: JsonReader): DoubleValue {
  const literal = r.readNumberLiteral();
  const value = Number(literal);
  return Number.isFinite(value) ? new DoubleValue(value) : r.fail(`${literal} is not a finite double`);
}

function readGuid(r: JsonReader): string {
  const text = r.readString();
  return tryNormalizeGuid(text) ?? r.fail(`"${text}" is not a GUID`);
}

function readDate(r: JsonReader): DateTimeValue {
  r.peek();
  const date = r.tryReadWcfDate();
  if (date) return new DateTimeValue(date.epochMs, date.offset);
  const text = r.readString();
  return parseWcfDate(text) ?? r.fail(`"${text}" is not a date like \\/Date(1506409448000-0700)\\/`);
}

function readList(r: JsonReader, of: FieldType): unknown[] {
  const items: unknown[] = [];
  if (r.tryNull()) return items;
  if (!r.beginArray()) return items;
  do {
    r.enter(items.length);
    items.push(readField(r, of));
    r.leave();
  } while (r.nextItem());
  return items;
}

/** `[{"key":…,"value":…}]`: keys unique, as in Dataverse's DataCollection. */
function readMap(r: JsonReader, of: FieldType): Map<string, unknown> {
  const map = new Map<string, unknown>();
  if (r.tryNull() || !r.beginArray()) return map;
  let index = 0;
  do {
    r.enter(index++);
    // Compact input (what Dataverse writes) takes the fast path; anything else the general one.
    const start = r.position;
    let key: string | undefined;
    if (r.tryRaw('{"key":') && (key = r.readString()) !== undefined && r.tryRaw(',"value":')) {
      r.enter("value");
      map.set(key, readField(r, of));
      r.leave();
      if (map.size !== index) r.fail(`duplicate key "${key}"`);
      const extra = r.nextMember();
      if (extra !== undefined) r.fail(`unexpected member "${extra}" in a key/value pair`);
    } else {
      r.position = start;
      readPair(r, of, map);
    }
    r.leave();
  } while (r.nextItem());
  return map;
}

function readPair(r: JsonReader, of: FieldType, map: Map<string, unknown>): void {
  let key: string | undefined;
  let value: unknown;
  let hasValue = false;
  for (let name = r.beginObject(); name !== undefined; name = r.nextMember()) {
    r.enter(name);
    if (name === "key") key = r.readString();
    else if (name === "value") {
      value = readField(r, of);
      hasValue = true;
    } else r.fail(`unexpected member "${name}" in a key/value pair`);
    r.leave();
  }
  if (key === undefined) r.fail('missing "key"');
  if (!hasValue) r.fail('missing "value"');
  if (map.has(key)) r.fail(`duplicate key "${key}"`);
  map.set(key, value);
}

function readRelatedEntities(r: JsonReader): unknown[] {
  const related: unknown[] = [];
  if (r.tryNull() || !r.beginArray()) return related;
  do {
    r.enter(related.length);
    const pair: Record<string, unknown> = {};
    for (let name = r.beginObject(); name !== undefined; name = r.nextMember()) {
      r.enter(name);
      if (name === "key") pair.relationship = readContractObject(r, RELATIONSHIP);
      else if (name === "value") pair.entities = readContractObject(r, ENTITY_COLLECTION);
      else r.fail(`unexpected member "${name}" in a key/value pair`);
      r.leave();
    }
    if (!pair.relationship || !pair.entities) r.fail('a related-entities pair needs "key" and "value"');
    related.push(pair);
    r.leave();
  } while (r.nextItem());
  return related;
}

/** A value in an object-typed slot: the `__type` hint (first member) says what it is. */
function readAny(r: JsonReader): Value {
  const code = r.peek();
  if (code === 34) {
    // DataContractJsonSerializer reads a date-shaped string in an object slot as a DateTime.
    const date = r.tryReadWcfDate();
    return date ? new DateTimeValue(date.epochMs, date.offset) : r.readString();
  }
  if (code === 123) return readTypedObject(r);
  if (code === 91) {
    const items: Value[] = [];
    if (r.beginArray()) {
      do {
        r.enter(items.length);
        items.push(readAny(r));
        r.leave();
      } while (r.nextItem());
    }
    const isChoices = items.length > 0 && items.every((item) => item instanceof OptionSetValue);
    return isChoices ? new OptionSetValueCollection(items as OptionSetValue[]) : items;
  }
  if (code === 116 || code === 102) return r.readBoolean();
  if (r.tryNull()) return null;
  return numberValue(r.readNumberLiteral());
}

/** Integers stay JS numbers; anything with a fraction, exponent or 16+ digits keeps its literal. */
function numberValue(literal: string): number | Decimal {
  return isPlainIntegerLiteral(literal) ? Number(literal) : new Decimal(literal);
}

/** Type names of the contracts in object slots, as a hint starts (`Entity:`); the namespace is not checked. */
const HINTED_CONTRACTS = [...SLOT_CONTRACTS.values()];
const HINT_PREFIXES = HINTED_CONTRACTS.map((contract) => `${contract.name}:`);

function readTypedObject(r: JsonReader): Value {
  if (!r.tryRaw('{"__type":')) {
    const first = r.beginObject();
    if (first !== "__type") return new UnknownValue(r.readObjectRest(first));
  }
  r.enter("__type");
  r.peek();
  const known = r.tryStringPrefix(HINT_PREFIXES);
  if (known >= 0) {
    r.leave();
    const contract = HINTED_CONTRACTS[known];
    return readContractMembers(r, contract, r.nextMemberExpecting(contract.members[0].key, contract.members[0].name)) as Value;
  }
  const hint = r.readString();
  r.leave();
  const colon = hint.indexOf(":");
  const typeName = colon < 0 ? hint : hint.slice(0, colon);
  const namespace = colon < 0 ? "" : hint.slice(colon + 1);
  const contract = SLOT_CONTRACTS.get(typeName);
  if (contract) return readContractMembers(r, contract, r.nextMember()) as Value;
  if (typeName.startsWith("KeyValuePairOf")) return readKeyValuePair(r, typeName);
  if (namespace === "#System" && BOXED_TYPES.has(typeName)) return readBoxed(r, typeName);
  return new UnknownValue(r.readObjectRest(r.nextMember(), [["__type", hint]]));
}

function readKeyValuePair(r: JsonReader, typeName: string): KeyValuePairValue {
  let key: string | undefined;
  let value: Value = null;
  for (let name = r.nextMember(); name !== undefined; name = r.nextMember()) {
    r.enter(name);
    if (name === "key") key = r.readString();
    else if (name === "value") value = readAny(r);
    else r.fail(`unexpected member "${name}" in ${typeName}`);
    r.leave();
  }
  if (key === undefined) return r.fail(`missing "key" in ${typeName}`);
  return new KeyValuePairValue(key, value, typeName);
}

/** `{"__type":"Guid:#System","__value":"…"}` and its kin: read as the plain value they box. */
const BOXED_TYPES = new Set(["Guid", "DateTime", "String", "Boolean", "Int16", "Int32", "Int64", "Byte", "Decimal", "Double", "Single"]);

function readBoxed(r: JsonReader, typeName: string): Value {
  const name = r.nextMember();
  if (name !== "__value") return r.fail(`expected "__value" after the ${typeName} hint`);
  r.enter(name);
  let value: Value;
  switch (typeName) {
    case "Guid":
      value = new GuidValue(readGuid(r));
      break;
    case "DateTime":
      value = readDate(r);
      break;
    case "String":
      value = r.readString();
      break;
    case "Boolean":
      value = r.readBoolean();
      break;
    case "Int16":
    case "Int32":
    case "Byte":
      value = readInteger(r);
      break;
    case "Int64":
      value = new Int64Value(readInteger(r));
      break;
    case "Double":
    case "Single":
      value = readDouble(r);
      break;
    default:
      value = new Decimal(r.readNumberLiteral());
  }
  r.leave();
  if (r.nextMember() !== undefined) r.fail(`unexpected member after "__value" in a boxed ${typeName}`);
  return value;
}
