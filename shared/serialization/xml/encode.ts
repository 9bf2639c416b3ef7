import { XMLBuilder } from "fast-xml-parser";
import { PipelineError } from "../../errors";
import type { DateTimeValue, Extensible, RemoteExecutionContext, Value } from "../../model";
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
import { joinEncoded, type EncodedContext } from "../parts";
import { formatXmlDate } from "../xml-date";
import { RELATED_ENTITIES_ITEM, XML_NAMESPACES } from "./names";

/** A node in fast-xml-parser's ordered form: `{ tag: children, ":@": attributes }` or `{ "#text": text }`. */
type XmlNode = Record<string, unknown>;

const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, suppressEmptyNode: true, format: false, processEntities: false });

/**
 * Writes a RemoteExecutionContext as Text XML the way DataContractSerializer does (§A.6): root element in
 * the Xrm Contracts namespace, members in data-contract order, `i:type` hints in object-typed slots,
 * `i:nil` for nulls, KeyValuePairOf… items for the collections.
 */
export function encodeContextXml(context: RemoteExecutionContext, options: XmlEncodeOptions = {}): string {
  return joinEncoded(encodeContextXmlParts(context, options));
}

const ROOT_OPEN = `<RemoteExecutionContext xmlns="${XML_NAMESPACES[""]}" xmlns:i="${XML_NAMESPACES.i}">`;

/** The context as its root members (see EncodedContext); joined, it is `encodeContextXml`'s text. */
export function encodeContextXmlParts(context: RemoteExecutionContext, options: XmlEncodeOptions = {}): EncodedContext {
  droppedMember = options.onDroppedMember;
  try {
    reportUnknownMembers(context, "");
    const members: EncodedContext["members"] = [];
    for (const member of REMOTE_EXECUTION_CONTEXT.members) {
      const value = member.get(context);
      if (value === undefined && member.optional) continue;
      members.push({ name: member.name, text: memberXml(member, value) });
    }
    return { open: ROOT_OPEN, separator: "", close: "</RemoteExecutionContext>", members };
  } finally {
    droppedMember = undefined;
  }
}

function memberXml(member: Member, value: unknown): string {
  const node = fieldElement(member.name, member.type, value, member.name);
  dropRedundantDeclarations(node, ROOT_SCOPE);
  return builder.build([node]) as string;
}

type Prefix = Exclude<keyof typeof XML_NAMESPACES, "">;
/** What the root element declares: its default namespace and `i`; every other prefix is declared where it is used. */
const ROOT_SCOPE: ReadonlyMap<string, string> = new Map([["i", XML_NAMESPACES.i]]);
const declaration = (prefix: Prefix): Record<string, string> => ({ [`@_xmlns:${prefix}`]: XML_NAMESPACES[prefix] });

/**
 * Elements declare each prefix they or their items use (a collection the namespace of its items' members, a
 * typed value the namespace of its `i:type`); as DataContractSerializer does, a declaration already in scope
 * is not written again.
 */
function dropRedundantDeclarations(node: XmlNode, scope: ReadonlyMap<string, string>): void {
  const attributes = node[":@"] as Record<string, string> | undefined;
  let inner = scope;
  if (attributes) {
    for (const name of Object.keys(attributes)) {
      if (!name.startsWith("@_xmlns:")) continue;
      const prefix = name.slice(8);
      if (inner.get(prefix) === attributes[name]) delete attributes[name];
      else inner = new Map(inner).set(prefix, attributes[name]);
    }
  }
  for (const [tag, children] of Object.entries(node)) {
    if (tag === ":@" || tag === "#text") continue;
    for (const child of children as XmlNode[]) if (!("#text" in child)) dropRedundantDeclarations(child, inner);
  }
}

export interface XmlEncodeOptions {
  /**
   * Called with the path of each member read from JSON that this model does not know: XML has no typed
   * form for it, so it is left out (DataContractSerializer readers ignore unknown elements anyway).
   */
  onDroppedMember?(path: string): void;
}

/** The current encode's listener (encoding is synchronous, so one at a time). */
let droppedMember: ((path: string) => void) | undefined;

const NEEDS_ESCAPE = /[&<>\r]/g;
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };

/** One member of the context on its own, as its element (used to measure what a member weighs). */
export function encodeMemberXml(context: RemoteExecutionContext, name: string): string {
  const member = REMOTE_EXECUTION_CONTEXT.byName.get(name);
  if (!member) throw new RangeError(`RemoteExecutionContext has no member ${name}`);
  return memberXml(member, member.get(context));
}

// eslint-disable-next-line no-control-regex -- XML 1.0 cannot carry these characters at all
const NOT_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** Escapes text; like DataContractSerializer, refuses characters XML 1.0 cannot carry. */
function escapeText(text: string, path: string): string {
  if (NOT_IN_XML.test(text)) throw new PipelineError("ValidationFailed", "the text holds a control character that XML cannot carry", { path });
  return text.replace(NEEDS_ESCAPE, (ch) => ENTITIES[ch]);
}

function element(tag: string, children: XmlNode[], attributes?: Record<string, string>): XmlNode {
  return attributes ? { [tag]: children, ":@": attributes } : { [tag]: children };
}

function textElement(tag: string, text: string, path: string, attributes?: Record<string, string>): XmlNode {
  return element(tag, text === "" ? [] : [{ "#text": escapeText(text, path) }], attributes);
}

const NIL = { "@_i:nil": "true" };
/** An `i:type` hint, with the declaration of its prefix (`c:string` → `xmlns:c`). */
function typed(type: string): Record<string, string> {
  const colon = type.indexOf(":");
  return colon < 0 ? { "@_i:type": type } : { "@_i:type": type, ...declaration(type.slice(0, colon) as Prefix) };
}
const join = (path: string, name: string): string => (path ? `${path}.${name}` : name);

function reportUnknownMembers(source: Extensible, path: string): void {
  if (source.unknownMembers && droppedMember) for (const extra of source.unknownMembers) droppedMember(join(path, extra.name));
}

function contractChildren(contract: Contract, value: object, path: string): XmlNode[] {
  const source = value as Record<string, unknown> & Extensible;
  reportUnknownMembers(source, path);
  const children: XmlNode[] = [];
  for (const member of contract.members) {
    const field = source[member.prop];
    if (field === undefined && member.optional) continue;
    children.push(fieldElement(member.name, member.type, field, join(path, member.name)));
  }
  return children;
}

function fieldElement(tag: string, type: FieldType, value: unknown, path: string): XmlNode {
  if (value === null || value === undefined) return element(tag, [], NIL);
  switch (type.t) {
    case "string":
    case "guid":
      return textElement(tag, value as string, path);
    case "int":
      return textElement(tag, type.enumNames?.[value as number] ?? String(value), path);
    case "bool":
    case "decimal":
      return textElement(tag, String(value), path);
    case "date":
      return textElement(tag, formatXmlDate(value as DateTimeValue), path);
    case "any":
      return anyElement(tag, value as Value, path);
    case "json":
      if ((value as unknown[]).length === 0) return element(tag, []);
      throw new PipelineError("ValidationFailed", "uninterpreted members cannot be written as XML", { path });
    case "list": {
      const inArrays = type.xmlItemNs === "arrays";
      const itemTag = inArrays ? `d:${type.xmlItem}` : type.xmlItem;
      const items = (value as unknown[]).map((item, i) => fieldElement(itemTag, type.of, item, `${path}[${i}]`));
      return inArrays ? element(tag, items, declaration("d")) : element(tag, items);
    }
    case "map": {
      const pairs = [...(value as Map<string, unknown>)].map(([key, item], i) =>
        element(type.xmlItem, [textElement("b:key", key, `${path}[${i}].key`), fieldElement("b:value", type.of, item, `${path}[${i}].value`)]),
      );
      return element(tag, pairs, declaration("b"));
    }
    case "relatedEntities": {
      const pairs = (value as Array<{ relationship: object; entities: object }>).map((pair, i) =>
        element(RELATED_ENTITIES_ITEM, [
          element("b:key", contractChildren(RELATIONSHIP, pair.relationship, `${path}[${i}].key`)),
          element("b:value", contractChildren(ENTITY_COLLECTION, pair.entities, `${path}[${i}].value`)),
        ]),
      );
      return element(tag, pairs, declaration("b"));
    }
    case "contract":
      return element(tag, contractChildren(type.contract, value as object, path));
  }
}

/** A value in an object-typed slot, with the `i:type` hint DataContractSerializer would write. */
function anyElement(tag: string, value: Value, path: string): XmlNode {
  if (value === null) return element(tag, [], NIL);
  switch (typeof value) {
    case "string":
      return textElement(tag, value, path, typed("c:string"));
    case "boolean":
      return textElement(tag, String(value), path, typed("c:boolean"));
    case "number": {
      if (!Number.isFinite(value)) throw new PipelineError("ValidationFailed", `${value} cannot be written as XML`, { path });
      // A JS number past 2^53 is a double that lost digits, not a long.
      const type = !Number.isSafeInteger(value) ? "c:double" : Math.abs(value) <= 0x7fffffff ? "c:int" : "c:long";
      return textElement(tag, String(value), path, typed(type));
    }
  }
  if (Array.isArray(value)) return arrayElement(tag, value, path);
  switch (value.kind) {
    case "Decimal":
      return textElement(tag, value.text, path, typed("c:decimal"));
    case "Int64":
      return textElement(tag, String(value.value), path, typed("c:long"));
    case "Double":
      return textElement(tag, String(value.value), path, typed("c:double"));
    case "DateTime":
      return textElement(tag, formatXmlDate(value), path, typed("c:dateTime"));
    case "Guid":
      return textElement(tag, value.value, path, typed("e:guid"));
    case "OptionSetValueCollection":
      return element(
        tag,
        value.values.map((choice, i) => element("OptionSetValue", contractChildren(OPTION_SET_VALUE, choice, `${path}[${i}]`))),
        typed("OptionSetValueCollection"),
      );
    case "KeyValuePair":
      return element(tag, [textElement("b:key", value.key, `${path}.key`), pairValueElement(value.typeName, value.value, path)], typed(`b:${value.typeName}`));
    case "Unknown":
      throw new PipelineError("ValidationFailed", "a value of a type this model does not know cannot be written as XML", { path });
    default: {
      const contract = SLOT_CONTRACTS.get(value.kind) as Contract;
      return element(tag, contractChildren(contract, value, path), typed(contract.name));
    }
  }
}

/** KeyValuePairOfstringstring's value is a plain string; other pairs carry a typed value. */
function pairValueElement(typeName: string, value: Value, path: string): XmlNode {
  const valuePath = `${path}.value`;
  if (typeName === "KeyValuePairOfstringstring" && (typeof value === "string" || value === null)) {
    return value === null ? element("b:value", [], NIL) : textElement("b:value", value, valuePath);
  }
  return anyElement("b:value", value, valuePath);
}

/** Arrays of key/value pairs of one type keep that type (`ArrayOfKeyValuePairOfstringstring`); others are ArrayOfanyType. */
function arrayElement(tag: string, items: Value[], path: string): XmlNode {
  const first = items[0];
  const pairType = first !== null && typeof first === "object" && !Array.isArray(first) && first.kind === "KeyValuePair" ? first.typeName : undefined;
  if (pairType && items.every((item) => item !== null && typeof item === "object" && !Array.isArray(item) && item.kind === "KeyValuePair" && item.typeName === pairType)) {
    const children = (items as Array<Extract<Value, { kind: "KeyValuePair" }>>).map((pair, i) =>
      element(`b:${pairType}`, [textElement("b:key", pair.key, `${path}[${i}].key`), pairValueElement(pairType, pair.value, `${path}[${i}]`)]),
    );
    return element(tag, children, typed(`b:ArrayOf${pairType}`));
  }
  return element(
    tag,
    items.map((item, i) => anyElement("d:anyType", item, `${path}[${i}]`)),
    typed("d:ArrayOfanyType"),
  );
}
