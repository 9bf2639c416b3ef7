export { decodeContextXml } from "./decode";
export { encodeContextXml, encodeMemberXml, type XmlEncodeOptions } from "./encode";
