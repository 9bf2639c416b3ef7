export { decodeContextJson, decodeValueJson } from "./decode";
export { encodeContextJson, encodeContextJsonParts, encodeMemberJson, encodeTypedContextJson, encodeValueJson } from "./encode";
export { JsonReader } from "./reader";
export { quote as quoteJson, writeNode as writeJsonNode } from "./writer";
