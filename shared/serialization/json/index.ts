export { decodeContextJson, decodeValueJson } from "./decode";
export { encodeContextJson, encodeMemberJson, encodeValueJson } from "./encode";
export { JsonReader } from "./reader";
export { quote as quoteJson, writeNode as writeJsonNode } from "./writer";
