import { isJsonNumber, type JsonNode } from "../../model";

// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NEEDS_ESCAPE = /["\\/\u0000-\u001f\u0085\u2028\u2029\ud800-\udfff\ufffe\uffff]/;

/**
 * A JSON string as DataContractJsonSerializer writes it (XmlJsonWriter.WriteEscapedJsonString): `"`, `\`
 * and `/` behind a backslash, and as lower-case `\uxxxx` the control characters, every UTF-16 surrogate
 * (also each half of a valid pair: an emoji is `\ud83d\ude00`), U+FFFE, U+FFFF and the Unicode line
 * breaks U+0085, U+2028, U+2029.
 */
export function quote(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  let out = '"';
  let chunk = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let escaped: string | undefined;
    if (code === 34) escaped = '\\"';
    else if (code === 92) escaped = "\\\\";
    else if (code === 47) escaped = "\\/";
    else if (code < 32 || code === 0x85 || code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff) || code >= 0xfffe) {
      escaped = `\\u${code.toString(16).padStart(4, "0")}`;
    }
    if (escaped === undefined) continue;
    out += text.slice(chunk, i) + escaped;
    chunk = i + 1;
  }
  return out + text.slice(chunk) + '"';
}

/** A lossless node written compactly (numbers as their literal text). */
export function writeNode(node: JsonNode): string {
  if (node === null) return "null";
  if (typeof node === "string") return quote(node);
  if (typeof node === "boolean") return node ? "true" : "false";
  if (Array.isArray(node)) return `[${node.map(writeNode).join(",")}]`;
  if (isJsonNumber(node)) return node.number;
  return `{${node.members.map(([name, value]) => `${quote(name)}:${writeNode(value)}`).join(",")}}`;
}
