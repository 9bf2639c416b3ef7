/**
 * Where two serializations of the same document differ: the common prefix's length, and what stands
 * between it and the common suffix on each side. Used to check that a one-character corruption inside a
 * value changed that value only.
 */
export function difference(before: string, after: string): { at: number; removed: string; added: string } {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { at: start, removed: before.slice(start, before.length - end), added: after.slice(start, after.length - end) };
}

/** The text with the character at `at` replaced by `#`. */
export const corruptAt = (text: string, at: number): string => `${text.slice(0, at)}#${text.slice(at + 1)}`;

const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

export type JsonCorruption =
  | { kind: "structural" }
  /** In a string: a member's name, a `__type` hint, or a value; `after` is undefined when the literal no longer is one (a broken escape). */
  | { kind: "member" | "type" | "value"; before: string; after: string | undefined };

/**
 * Where a one-character change at `at` lands in minified JSON: inside a string literal's characters (not
 * its quotes) — the name of a member, a `__type` hint or a value, with the string before and after — or
 * anywhere else.
 */
export function jsonCorruption(original: string, corrupted: string, at: number): JsonCorruption {
  for (const match of original.matchAll(JSON_STRING)) {
    const start = match.index;
    const end = start + match[0].length - 1;
    if (at <= start || at >= end) continue;
    const literal = corrupted.slice(start, end + 1);
    let after: string | undefined;
    try {
      after = JSON.parse(literal) as string;
    } catch {
      after = undefined;
    }
    const before = JSON.parse(match[0]) as string;
    const kind = original[end + 1] === ":" ? "member" : original.slice(Math.max(0, start - 9), start) === '"__type":' ? "type" : "value";
    return { kind, before, after };
  }
  return { kind: "structural" };
}

export type XmlCorruption = { kind: "markup" } | { kind: "namespace" } | { kind: "text"; after: string };

/**
 * Where a one-character change at `at` lands in XML: in character data between tags (`text`, with the
 * corrupted text node's raw content), inside a namespace declaration's URI (`namespace`), or anywhere
 * else in the markup.
 */
export function xmlCorruption(original: string, corrupted: string, at: number): XmlCorruption {
  const open = original.lastIndexOf("<", at);
  const close = original.lastIndexOf(">", at - 1);
  if (close >= open && original[at] !== "<") {
    const end = original.indexOf("<", at);
    return { kind: "text", after: corrupted.slice(close + 1, end < 0 ? undefined : end) };
  }
  const declaration = /\sxmlns(?::[\w.-]+)?="([^"]*)"/g;
  const tag = original.slice(open, original.indexOf(">", open) + 1);
  for (const match of tag.matchAll(declaration)) {
    const valueStart = open + match.index + match[0].indexOf('"') + 1;
    if (at >= valueStart && at < valueStart + match[1].length) return { kind: "namespace" };
  }
  return { kind: "markup" };
}
