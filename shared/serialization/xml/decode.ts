import { XMLParser, XMLValidator } from "fast-xml-parser";
import { PipelineError } from "../../errors";
import {
  Decimal,
  DoubleValue,
  GuidValue,
  Int64Value,
  KeyValuePairValue,
  OptionSetValue,
  OptionSetValueCollection,
  tryNormalizeGuid,
  type RemoteExecutionContext,
  type Value,
} from "../../model";
import { ENTITY_COLLECTION, OPTION_SET_VALUE, REMOTE_EXECUTION_CONTEXT, RELATIONSHIP, SLOT_CONTRACTS, type Contract, type FieldType } from "../contracts";
import { parseXmlDate } from "../xml-date";

/** An element by local name (namespace prefixes dropped), attributes by local name, child elements and text. */
interface XElement {
  name: string;
  attributes: Record<string, string>;
  children: XElement[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  htmlEntities: true,
});

const localName = (name: string): string => name.slice(name.indexOf(":") + 1);
const join = (path: string, name: string): string => (path ? `${path}.${name}` : name);

function fail(message: string, path: string): never {
  throw new PipelineError("InvalidFormat", path ? `${message} at ${path}` : message, { path: path || "$" });
}

/**
 * Reads a RemoteExecutionContext from Text XML (DataContractSerializer form, §A.6). Namespace prefixes
 * are not checked, member order is not enforced and unknown elements are skipped, as tolerant readers do;
 * malformed XML, a wrong value (an `i:nil` too) or text beside a complex value's elements fails with
 * PipelineError("InvalidFormat") naming the member's path.
 */
export function decodeContextXml(text: string): RemoteExecutionContext {
  const validation = XMLValidator.validate(text);
  if (validation !== true) fail(`malformed XML: ${validation.err.msg} (line ${validation.err.line}, column ${validation.err.col})`, "");
  const roots = toElements(parser.parse(text) as Array<Record<string, unknown>>);
  if (roots.length !== 1 || roots[0].name !== "RemoteExecutionContext") fail("expected one RemoteExecutionContext root element", "");
  return readContract(roots[0], REMOTE_EXECUTION_CONTEXT, "") as RemoteExecutionContext;
}

function toElements(nodes: Array<Record<string, unknown>>): XElement[] {
  const elements: XElement[] = [];
  for (const node of nodes) {
    const tag = Object.keys(node).find((key) => key !== ":@");
    if (tag === undefined || tag === "#text" || tag === "?xml" || tag.startsWith("#")) continue;
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries((node[":@"] ?? {}) as Record<string, string>)) {
      const attribute = name.slice(2);
      if (attribute !== "xmlns" && !attribute.startsWith("xmlns:")) attributes[localName(attribute)] = value;
    }
    const content = node[tag] as Array<Record<string, unknown>>;
    let text = "";
    for (const child of content) if ("#text" in child) text += String(child["#text"]);
    elements.push({ name: localName(tag), attributes, children: toElements(content), text });
  }
  return elements;
}

/** Whether `i:nil` marks the element null; its value is an xs:boolean like any other. */
const isNil = (el: XElement, path: string): boolean => el.attributes.nil !== undefined && readBoolean(el.attributes.nil, join(path, "@i:nil"));

/** The child elements of an element that holds elements only: text beside them (beyond whitespace) is no such element. */
function elementsOf(el: XElement, path: string): XElement[] {
  if (el.text.trim() !== "") fail(`unexpected text "${el.text.trim()}"`, path);
  return el.children;
}

function readContract(el: XElement, contract: Contract, path: string): object {
  const target = contract.create() as Record<string, unknown>;
  for (const child of elementsOf(el, path)) {
    const member = contract.byName.get(child.name);
    if (member) target[member.prop] = readField(child, member.type, join(path, member.name));
  }
  return target;
}

function readField(el: XElement, type: FieldType, path: string): unknown {
  if (isNil(el, path)) {
    if (type.t === "any" || ("nullable" in type && type.nullable)) return null;
    if (type.t === "list") return [];
    return fail("unexpected nil", path);
  }
  switch (type.t) {
    case "string":
      return el.text;
    case "int": {
      const named = type.enumNames?.indexOf(el.text.trim()) ?? -1;
      return named >= 0 ? named : readInteger(el.text, path);
    }
    case "bool":
      return readBoolean(el.text, path);
    case "guid":
      return tryNormalizeGuid(el.text.trim()) ?? fail(`"${el.text}" is not a GUID`, path);
    case "decimal":
      return readDecimal(el.text, path);
    case "date":
      return parseXmlDate(el.text) ?? fail(`"${el.text}" is not an xs:dateTime`, path);
    case "any":
      return readAny(el, path);
    case "json":
      return [];
    case "list":
      return elementsOf(el, path).map((item, i) => readField(item, type.of, `${path}[${i}]`));
    case "map": {
      const map = new Map<string, unknown>();
      elementsOf(el, path).forEach((pair, i) => {
        const itemPath = `${path}[${i}]`;
        const key = pair.children.find((child) => child.name === "key") ?? fail('missing "key"', itemPath);
        const value = pair.children.find((child) => child.name === "value") ?? fail('missing "value"', itemPath);
        if (map.has(key.text)) fail(`duplicate key "${key.text}"`, itemPath);
        map.set(key.text, readField(value, type.of, `${itemPath}.value`));
      });
      return map;
    }
    case "relatedEntities":
      return elementsOf(el, path).map((pair, i) => {
        const itemPath = `${path}[${i}]`;
        const key = pair.children.find((child) => child.name === "key") ?? fail('missing "key"', itemPath);
        const value = pair.children.find((child) => child.name === "value") ?? fail('missing "value"', itemPath);
        return { relationship: readContract(key, RELATIONSHIP, `${itemPath}.key`), entities: readContract(value, ENTITY_COLLECTION, `${itemPath}.value`) };
      });
    case "contract":
      return readContract(el, type.contract, path);
  }
}

function readInteger(text: string, path: string): number {
  const value = Number(text.trim());
  return /^\s*-?\d+\s*$/.test(text) && Number.isSafeInteger(value) ? value : fail(`"${text}" is not an integer`, path);
}

function readBoolean(text: string, path: string): boolean {
  const trimmed = text.trim();
  if (trimmed === "true" || trimmed === "1") return true;
  if (trimmed === "false" || trimmed === "0") return false;
  return fail(`"${text}" is not a boolean`, path);
}

function readDecimal(text: string, path: string): Decimal {
  try {
    return new Decimal(text.trim());
  } catch {
    return fail(`"${text}" is not a decimal`, path);
  }
}

/** A value of an object-typed slot, by its `i:type` hint. */
function readAny(el: XElement, path: string): Value {
  if (isNil(el, path)) return null;
  const hint = el.attributes.type;
  if (hint === undefined) return fail("missing i:type on a value", path);
  const type = localName(hint);
  switch (type) {
    case "string":
      return el.text;
    case "boolean":
      return readBoolean(el.text, path);
    case "int":
    case "short":
    case "byte":
    case "unsignedInt":
    case "unsignedShort":
    case "unsignedByte":
      return readInteger(el.text, path);
    case "long":
      return new Int64Value(readInteger(el.text, path));
    case "double":
    case "float": {
      const value = Number(el.text.trim());
      return Number.isFinite(value) && el.text.trim() !== "" ? new DoubleValue(value) : fail(`"${el.text}" is not a finite number`, path);
    }
    case "decimal":
      return readDecimal(el.text, path);
    case "dateTime":
      return parseXmlDate(el.text) ?? fail(`"${el.text}" is not an xs:dateTime`, path);
    case "guid":
      return new GuidValue(tryNormalizeGuid(el.text.trim()) ?? fail(`"${el.text}" is not a GUID`, path));
    case "OptionSetValueCollection":
      return new OptionSetValueCollection(elementsOf(el, path).map((item, i) => readContract(item, OPTION_SET_VALUE, `${path}[${i}]`) as OptionSetValue));
    case "ArrayOfanyType":
      return elementsOf(el, path).map((item, i) => readAny(item, `${path}[${i}]`));
  }
  if (type.startsWith("ArrayOfKeyValuePairOf")) return elementsOf(el, path).map((item, i) => readPair(item, item.name, `${path}[${i}]`));
  if (type.startsWith("KeyValuePairOf")) return readPair(el, type, path);
  const contract = SLOT_CONTRACTS.get(type);
  if (contract) return readContract(el, contract, path) as Value;
  return fail(`unsupported i:type "${hint}"`, path);
}

function readPair(el: XElement, typeName: string, path: string): KeyValuePairValue {
  const key = el.children.find((child) => child.name === "key") ?? fail('missing "key"', path);
  const value = el.children.find((child) => child.name === "value") ?? fail('missing "value"', path);
  const valuePath = `${path}.value`;
  const plain = typeName === "KeyValuePairOfstringstring" && value.attributes.type === undefined;
  return new KeyValuePairValue(key.text, plain ? (isNil(value, valuePath) ? null : value.text) : readAny(value, valuePath), typeName);
}
