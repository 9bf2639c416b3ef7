import { PipelineError } from "../../errors";
import type { DateTimeValue, Extensible, RemoteExecutionContext, UnknownMember, Value } from "../../model";
import {
  ENTITY_COLLECTION,
  OPTION_SET_VALUE,
  REMOTE_EXECUTION_CONTEXT,
  RELATIONSHIP,
  SLOT_CONTRACTS,
  type Contract,
  type FieldType,
  type Member,
} from "../contracts";
import type { EncodedContext } from "../parts";
import { formatWcfDate } from "../wcf-date";
import { isPlainIntegerLiteral } from "./reader";
import { quote, writeNode } from "./writer";

/**
 * Writes a RemoteExecutionContext exactly as Dataverse does: compact, members in data-contract order,
 * `__type` first and only in object-typed slots, `\/Date(ms±hhmm)\/`, `\/` escaped, decimals with their scale.
 */
export function encodeContextJson(context: RemoteExecutionContext): string {
  return writeContract(REMOTE_EXECUTION_CONTEXT, context, false, false);
}

/**
 * The context as JSON that reads back with every value's .NET type (for storage, never for posting): in
 * object-typed slots a Guid, Int64, Double, Decimal, a number JSON would read back as another type, and a
 * string that reads like a date are boxed as `{"__type":"Guid:#System","__value":…}`, which
 * `decodeContextJson` reads back as the typed value. Everything else is as `encodeContextJson` writes it.
 */
export function encodeTypedContextJson(context: RemoteExecutionContext): string {
  return writeContract(REMOTE_EXECUTION_CONTEXT, context, false, true);
}

/** The context as its root members (see EncodedContext); joined, it is `encodeContextJson`'s text. */
export function encodeContextJsonParts(context: RemoteExecutionContext): EncodedContext {
  const members: EncodedContext["members"] = [];
  writeContract(REMOTE_EXECUTION_CONTEXT, context, false, false, members);
  return { open: "{", separator: ",", close: "}", members };
}

/** One member of the context on its own, as `"Name":value` (used to measure what a member weighs). */
export function encodeMemberJson(context: RemoteExecutionContext, name: string): string {
  const member = REMOTE_EXECUTION_CONTEXT.byName.get(name);
  if (!member) throw new RangeError(`RemoteExecutionContext has no member ${name}`);
  return keyOf(member) + writeField(member.type, member.get(context), false);
}

/** A value of an object-typed slot, with its type hint. */
export function encodeValueJson(value: Value): string {
  return writeAny(value, false);
}

const keys = new WeakMap<Member, string>();
function keyOf(member: Member): string {
  let key = keys.get(member);
  if (key === undefined) keys.set(member, (key = `${quote(member.name)}:`));
  return key;
}

const hints = new Map<string, string>();
function hintOf(typeName: string, namespace: string): string {
  const full = `${typeName}:${namespace}`;
  let hint = hints.get(full);
  if (hint === undefined) hints.set(full, (hint = `"__type":${quote(full)}`));
  return hint;
}

/**
 * With `parts`, the members are collected there (one string each) instead of joined into the result;
 * `typed`: object-slot values keep their .NET type (see encodeTypedContextJson).
 */
function writeContract(contract: Contract, value: object, withHint: boolean, typed: boolean, parts?: EncodedContext["members"]): string {
  const source = value as Record<string, unknown> & Extensible;
  const unknown = source.unknownMembers;
  let out = withHint ? `{${hintOf(contract.name, contract.namespace)}` : "{";
  let first = !withHint;
  const add = (name: string, text: string): void => {
    if (parts) parts.push({ name, text });
    else out += (first ? "" : ",") + text;
    first = false;
  };
  if (unknown) for (const extra of unknown) if (extra.after === null) add(extra.name, writeUnknown(extra));
  for (const member of contract.members) {
    const field = member.get(source);
    if (field === undefined && member.optional) continue;
    add(member.name, keyOf(member) + writeField(member.type, field, typed));
    if (unknown) for (const extra of unknown) if (extra.after === member.name) add(extra.name, writeUnknown(extra));
  }
  return `${out}}`;
}

function writeUnknown(extra: UnknownMember): string {
  return `${quote(extra.name)}:${writeNode(extra.value)}`;
}

function writeField(type: FieldType, value: unknown, typed: boolean): string {
  if (value === null || value === undefined) return "null";
  switch (type.t) {
    case "string":
    case "guid":
      return quote(value as string);
    case "int":
    case "bool":
      return String(value);
    case "decimal":
      return String(value);
    case "date":
      return quote(formatWcfDate(value as DateTimeValue));
    case "any":
      return writeAny(value as Value, typed);
    case "json":
      return writeNode(value as never);
    case "list": {
      let out = "[";
      for (const item of value as unknown[]) out += (out.length > 1 ? "," : "") + writeField(type.of, item, typed);
      return `${out}]`;
    }
    case "map": {
      let out = "[";
      for (const [key, item] of value as Map<string, unknown>)
        out += `${out.length > 1 ? "," : ""}{"key":${quote(key)},"value":${writeField(type.of, item, typed)}}`;
      return `${out}]`;
    }
    case "relatedEntities": {
      let out = "[";
      for (const pair of value as Array<{ relationship: object; entities: object }>)
        out += `${out.length > 1 ? "," : ""}{"key":${writeContract(RELATIONSHIP, pair.relationship, false, typed)},"value":${writeContract(ENTITY_COLLECTION, pair.entities, false, typed)}}`;
      return `${out}]`;
    }
    case "contract":
      return writeContract(type.contract, value as object, false, typed);
  }
}

function writeAny(value: Value, typed: boolean): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      // JSON reads a date-shaped string in an object slot back as a DateTime.
      return typed && value.startsWith("/Date(") ? boxed("String", quote(value)) : quote(value);
    case "boolean":
      return value ? "true" : "false";
    case "number": {
      const text = numberText(value);
      // JSON reads a fraction or a 16-digit literal back as a decimal: the stored form says what it was.
      if (typed && !isPlainIntegerLiteral(text)) return boxed(Number.isSafeInteger(value) ? "Int64" : "Double", text);
      return text;
    }
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (const item of value) out += (out.length > 1 ? "," : "") + writeAny(item, typed);
    return `${out}]`;
  }
  switch (value.kind) {
    case "Decimal":
      return typed ? boxed("Decimal", value.text) : value.text;
    case "Int64":
      return typed ? boxed("Int64", numberText(value.value)) : numberText(value.value);
    case "Double":
      return typed ? boxed("Double", numberText(value.value)) : numberText(value.value);
    case "DateTime":
      return quote(formatWcfDate(value));
    case "Guid":
      return typed ? boxed("Guid", quote(value.value)) : quote(value.value);
    case "OptionSetValueCollection":
      return `[${value.values.map((choice) => writeContract(OPTION_SET_VALUE, choice, true, typed)).join(",")}]`;
    case "KeyValuePair":
      return `{${hintOf(value.typeName, "#System.Collections.Generic")},"key":${quote(value.key)},"value":${writeAny(value.value, typed)}}`;
    case "Unknown":
      return writeNode(value.json);
    default:
      return writeContract(SLOT_CONTRACTS.get(value.kind) as Contract, value, true, typed);
  }
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new PipelineError("ValidationFailed", `${value} cannot be written as JSON`);
  return String(value);
}

const boxed = (typeName: string, valueText: string): string => `{${hintOf(typeName, "#System")},"__value":${valueText}}`;
