export { decodeContextXml } from "./decode";
export { encodeContextXml, encodeMemberXml } from "./encode";
