export { decodeContextXml } from "./decode";
export { encodeContextXml } from "./encode";
