export { decodeContextXml } from "./decode";
export { encodeContextXml, encodeContextXmlParts, encodeMemberXml, type XmlEncodeOptions } from "./encode";
