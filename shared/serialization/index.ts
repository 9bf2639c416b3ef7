export * from "./format";
export * from "./size";
export * from "./parts";
export { DROPPABLE_MEMBERS } from "./contracts";
export { decodeContextJson, decodeValueJson, encodeContextJson, encodeContextJsonParts, encodeTypedContextJson, encodeValueJson } from "./json";
export { decodeContextXml, encodeContextXml, encodeContextXmlParts, type XmlEncodeOptions } from "./xml";
