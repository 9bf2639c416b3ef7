import { PipelineError } from "../../errors";
import type { JsonNode } from "../../model";

/** Escape character codes and what they stand for (`\u` is handled apart). */
const ESCAPES: Record<number, string> = { 34: '"', 92: "\\", 47: "/", 98: "\b", 102: "\f", 110: "\n", 114: "\r", 116: "\t" };

/** Thrown by a reader without path tracking; `readWithPath` turns it into the located error. */
class UntrackedFailure extends Error {}

/** Runs `read` on a fast reader; on a failure reads again with path tracking, which throws the located error. */
export function readWithPath<T>(text: string, read: (reader: JsonReader) => T): T {
  try {
    return read(new JsonReader(text));
  } catch (error) {
    if (!(error instanceof UntrackedFailure)) throw error;
    return read(new JsonReader(text, true));
  }
}

/**
 * A number literal an object-typed slot reads as a plain JS number (an integer of under 16 characters);
 * any other (a fraction, an exponent, more digits, `-0`) is read as a Decimal that keeps the literal.
 */
export function isPlainIntegerLiteral(literal: string): boolean {
  return literal.length < 16 && !/[.eE]/.test(literal) && literal !== "-0";
}

/**
 * A pull reader over JSON text that keeps number literals (JSON.parse would turn `1.0000000000` into 1)
 * and tracks the path of the value it is on, so every error names the bad member
 * (`InputParameters[0].value.Attributes[3]`). Whitespace anywhere between tokens is accepted.
 */
export class JsonReader {
  private pos = 0;
  /** Where the next backslash is (cached so finding a string's end stays linear). */
  private nextBackslash = -1;
  private readonly path: Array<string | number> = [];

  /**
   * Path tracking costs a push and pop per value, so it is off by default: a failure then throws
   * `UntrackedFailure` and `readWithPath` reads again with tracking to name the member.
   */
  constructor(
    private readonly text: string,
    private readonly tracking = false,
  ) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  /** Offset of the next character to read (set it only back to an offset it had). */
  get position(): number {
    return this.pos;
  }

  set position(offset: number) {
    this.pos = offset;
    this.nextBackslash = -1;
  }

  /** The next significant character code (NaN at the end). */
  peek(): number {
    const text = this.text;
    let pos = this.pos;
    let code = text.charCodeAt(pos);
    while (code === 32 || code === 10 || code === 13 || code === 9) code = text.charCodeAt(++pos);
    this.pos = pos;
    return code;
  }

  /** Consumes `{`; returns the first member's name (positioned at its value) or undefined for `{}`. */
  beginObject(): string | undefined {
    this.expect(123, "an object");
    if (this.peek() === 125) {
      this.pos++;
      return undefined;
    }
    return this.memberName();
  }

  /** After a member's value: the next member's name, or undefined at `}`. */
  nextMember(): string | undefined {
    const code = this.peek();
    this.pos++;
    if (code === 44) return this.memberName();
    if (code === 125) return undefined;
    this.pos--;
    return this.fail("expected ',' or '}'");
  }

  /**
   * Like nextMember, but if the next member is `expected` (given as its compact key, `"Name":`) it is
   * recognised without decoding the name, and `name` is returned.
   */
  nextMemberExpecting(expectedKey: string | undefined, name: string | undefined): string | undefined {
    const code = this.peek();
    this.pos++;
    if (code === 44) {
      if (expectedKey !== undefined && (this.peek(), this.matchesAt(this.pos, expectedKey))) {
        this.pos += expectedKey.length;
        return name;
      }
      return this.memberName();
    }
    if (code === 125) return undefined;
    this.pos--;
    return this.fail("expected ',' or '}'");
  }

  /** Consumes `[`; false for `[]`. */
  beginArray(): boolean {
    this.expect(91, "an array");
    if (this.peek() === 93) {
      this.pos++;
      return false;
    }
    return true;
  }

  /** After an item: true if another follows, false at `]`. */
  nextItem(): boolean {
    const code = this.peek();
    this.pos++;
    if (code === 44) return true;
    if (code === 93) return false;
    this.pos--;
    return this.fail("expected ',' or ']'");
  }

  /** True (and consumed) if the next value is `null`. */
  tryNull(): boolean {
    if (this.peek() !== 110) return false;
    this.literal("null");
    return true;
  }

  readString(): string {
    this.expect(34, "a string");
    const text = this.text;
    const start = this.pos;
    const end = text.indexOf('"', start);
    if (end < 0) return this.fail("unterminated string");
    if (this.nextBackslash < start) {
      const found = text.indexOf("\\", start);
      this.nextBackslash = found < 0 ? Infinity : found;
    }
    if (this.nextBackslash > end) {
      this.pos = end + 1;
      return text.slice(start, end);
    }
    return this.readEscapedString(start);
  }

  /** Consumes `raw` (punctuation and member names exactly as compact Dataverse JSON writes them) if it is next. */
  tryRaw(raw: string): boolean {
    if (!this.matchesAt(this.pos, raw)) return false;
    this.pos += raw.length;
    return true;
  }

  /**
   * If the next value is a string starting with one of `prefixes` (e.g. `Entity:`), consumes the whole
   * string and returns that prefix's index; otherwise -1 and nothing is consumed. Only the prefix is
   * compared, so type hints are recognised without reading their namespace.
   */
  tryStringPrefix(prefixes: readonly string[]): number {
    const pos = this.pos;
    if (this.text.charCodeAt(pos) !== 34) return -1;
    for (let i = 0; i < prefixes.length; i++) {
      if (!this.matchesAt(pos + 1, prefixes[i])) continue;
      const end = this.text.indexOf('"', pos + 1 + prefixes[i].length);
      if (end < 0 || this.text.charCodeAt(end - 1) === 92) return -1;
      this.pos = end + 1;
      return i;
    }
    return -1;
  }

  /**
   * Reads `"\/Date(ms±hhmm)\/"` (or with unescaped `/`) straight from the text, without building the
   * string; undefined (nothing consumed) if the next value is not such a date.
   */
  tryReadWcfDate(): { epochMs: number; offset: string | null } | undefined {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    if (text.charCodeAt(pos++) !== 34) return undefined;
    if (text.charCodeAt(pos) === 92) pos++;
    if (!this.matchesAt(pos, "/Date(")) return undefined;
    pos += 6;
    const negative = text.charCodeAt(pos) === 45;
    if (negative) pos++;
    let ms = 0;
    const digitsStart = pos;
    for (let code = text.charCodeAt(pos); code >= 48 && code <= 57; code = text.charCodeAt(++pos)) ms = ms * 10 + (code - 48);
    if (pos === digitsStart || pos - digitsStart > 15) return undefined;
    let offset: string | null = null;
    const sign = text.charCodeAt(pos);
    if (sign === 43 || sign === 45) {
      offset = text.slice(pos, pos + 5);
      if (!/^[+-]\d{4}$/.test(offset)) return undefined;
      pos += 5;
    }
    if (text.charCodeAt(pos++) !== 41) return undefined;
    if (text.charCodeAt(pos) === 92) pos++;
    if (text.charCodeAt(pos++) !== 47 || text.charCodeAt(pos++) !== 34) return undefined;
    this.pos = pos;
    return { epochMs: negative ? -ms : ms, offset };
  }

  readBoolean(): boolean {
    const code = this.peek();
    if (code === 116) return this.literal("true"), true;
    if (code === 102) return this.literal("false"), false;
    return this.fail("expected true or false");
  }

  /** A number's literal text, exactly as written. */
  readNumberLiteral(): string {
    this.peek();
    const text = this.text;
    const start = this.pos;
    let pos = start;
    if (text.charCodeAt(pos) === 45) pos++;
    const first = text.charCodeAt(pos);
    if (first === 48) pos++;
    else if (first >= 49 && first <= 57) pos = this.skipDigits(pos);
    else return this.fail("expected a number");
    if (text.charCodeAt(pos) === 46) {
      const fraction = ++pos;
      if ((pos = this.skipDigits(pos)) === fraction) return (this.pos = pos), this.fail("expected digits after '.'");
    }
    const e = text.charCodeAt(pos);
    if (e === 101 || e === 69) {
      const sign = text.charCodeAt(++pos);
      if (sign === 43 || sign === 45) pos++;
      const exponent = pos;
      if ((pos = this.skipDigits(pos)) === exponent) return (this.pos = pos), this.fail("expected digits in the exponent");
    }
    this.pos = pos;
    return text.slice(start, pos);
  }

  private skipDigits(pos: number): number {
    const text = this.text;
    let code = text.charCodeAt(pos);
    while (code >= 48 && code <= 57) code = text.charCodeAt(++pos);
    return pos;
  }

  /** Any value as a lossless node (for members and values this model does not know). */
  readNode(): JsonNode {
    const code = this.peek();
    if (code === 34) return this.readString();
    if (code === 123) return this.readObjectRest(this.beginObject());
    if (code === 91) {
      const items: JsonNode[] = [];
      if (this.beginArray()) {
        do {
          this.enter(items.length);
          items.push(this.readNode());
          this.leave();
        } while (this.nextItem());
      }
      return items;
    }
    if (code === 116 || code === 102) return this.readBoolean();
    if (code === 110) return this.literal("null"), null;
    return { number: this.readNumberLiteral() };
  }

  /** The rest of an object whose member `name` has been opened (undefined: it was `{}`). */
  readObjectRest(name: string | undefined, members: Array<[string, JsonNode]> = []): JsonNode {
    for (; name !== undefined; name = this.nextMember()) {
      this.enter(name);
      members.push([name, this.readNode()]);
      this.leave();
    }
    return { members };
  }

  /** Fails unless only whitespace is left. */
  end(): void {
    if (!Number.isNaN(this.peek())) this.fail("unexpected text after the end of the document");
  }

  enter(segment: string | number): void {
    if (this.tracking) this.path.push(segment);
  }

  leave(): void {
    if (this.tracking) this.path.pop();
  }

  /** The current path, e.g. `InputParameters[0].value.Attributes[3]`. */
  currentPath(): string {
    let out = "";
    for (const segment of this.path) out += typeof segment === "number" ? `[${segment}]` : out ? `.${segment}` : segment;
    return out;
  }

  fail(message: string): never {
    if (!this.tracking) throw new UntrackedFailure();
    const path = this.currentPath();
    const where = path ? ` at ${path}` : "";
    throw new PipelineError("InvalidFormat", `${message}${where} (offset ${this.pos})`, { path: path || "$" });
  }

  /** `text.startsWith(raw, at)`, as a loop the JIT inlines (the builtin call costs more than these short compares). */
  private matchesAt(at: number, raw: string): boolean {
    const text = this.text;
    for (let i = 0; i < raw.length; i++) if (text.charCodeAt(at + i) !== raw.charCodeAt(i)) return false;
    return true;
  }

  private memberName(): string {
    if (this.peek() !== 34) return this.fail("expected a member name");
    const name = this.readString();
    if (this.peek() !== 58) return this.fail(`expected ':' after "${name}"`);
    this.pos++;
    return name;
  }

  private expect(code: number, what: string): void {
    if (this.peek() !== code) this.fail(Number.isNaN(this.peek()) ? `expected ${what}, found the end of the input` : `expected ${what}`);
    this.pos++;
  }

  private literal(word: string): void {
    if (!this.matchesAt(this.pos, word)) this.fail(`expected ${word}`);
    this.pos += word.length;
  }

  /** A string with escapes: its raw text is found, then decoded (natively; `\/` alone, the common case, by replace). */
  private readEscapedString(start: number): string {
    const text = this.text;
    let end = text.indexOf('"', start);
    for (;;) {
      if (end < 0) return this.fail("unterminated string");
      let backslashes = 0;
      while (text.charCodeAt(end - 1 - backslashes) === 92) backslashes++;
      if (backslashes % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
    let decoded = "";
    let chunk = start;
    for (let pos = text.indexOf("\\", start); pos >= 0 && pos < end; pos = text.indexOf("\\", chunk)) {
      decoded += text.slice(chunk, pos);
      const escape = text.charCodeAt(pos + 1);
      if (escape === 117) {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return (this.pos = pos), this.fail("bad \\u escape in string");
        decoded += String.fromCharCode(parseInt(hex, 16));
        chunk = pos + 6;
      } else {
        const replacement = ESCAPES[escape];
        if (replacement === undefined) return (this.pos = pos), this.fail("bad escape in string");
        decoded += replacement;
        chunk = pos + 2;
      }
    }
    decoded += text.slice(chunk, end);
    this.pos = end + 1;
    return decoded;
  }
}
