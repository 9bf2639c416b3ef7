export * from "./format";
export * from "./size";
export { DROPPABLE_MEMBERS } from "./contracts";
export { decodeContextJson, decodeValueJson, encodeContextJson, encodeValueJson } from "./json";
export { decodeContextXml, encodeContextXml } from "./xml";
