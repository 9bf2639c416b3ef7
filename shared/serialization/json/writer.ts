import { isJsonNumber, type JsonNode } from "../../model";

// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NEEDS_ESCAPE = /["\\/\u0000-\u001f\ud800-\udfff]/;

/** A JSON string as DataContractJsonSerializer writes it: `/` as `\/`, control characters as lower-case `\u00xx`. */
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
    else if (code < 32) escaped = `\\u${code.toString(16).padStart(4, "0")}`;
    else if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      escaped = `\\u${code.toString(16)}`;
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
