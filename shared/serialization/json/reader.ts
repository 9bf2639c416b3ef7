import { PipelineError } from "../../errors";
import type { JsonNode } from "../../model";

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

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

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
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

  readBoolean(): boolean {
    const code = this.peek();
    if (code === 116) return this.literal("true"), true;
    if (code === 102) return this.literal("false"), false;
    return this.fail("expected true or false");
  }

  /** A number's literal text, exactly as written. */
  readNumberLiteral(): string {
    this.peek();
    NUMBER.lastIndex = this.pos;
    if (!NUMBER.test(this.text)) return this.fail("expected a number");
    const literal = this.text.slice(this.pos, NUMBER.lastIndex);
    this.pos = NUMBER.lastIndex;
    return literal;
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
    this.path.push(segment);
  }

  leave(): void {
    this.path.pop();
  }

  /** The current path, e.g. `InputParameters[0].value.Attributes[3]`. */
  currentPath(): string {
    let out = "";
    for (const segment of this.path) out += typeof segment === "number" ? `[${segment}]` : out ? `.${segment}` : segment;
    return out;
  }

  fail(message: string): never {
    const path = this.currentPath();
    const where = path ? ` at ${path}` : "";
    throw new PipelineError("InvalidFormat", `${message}${where} (offset ${this.pos})`, { path: path || "$" });
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
    if (!this.text.startsWith(word, this.pos)) this.fail(`expected ${word}`);
    this.pos += word.length;
  }

  private readEscapedString(start: number): string {
    const text = this.text;
    let out = "";
    let chunk = start;
    let pos = start;
    for (;;) {
      const code = text.charCodeAt(pos);
      if (code === 34) break;
      if (Number.isNaN(code)) return (this.pos = pos), this.fail("unterminated string");
      if (code !== 92) {
        pos++;
        continue;
      }
      out += text.slice(chunk, pos);
      const escape = text[pos + 1];
      if (escape === "u") {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return (this.pos = pos), this.fail("bad \\u escape in string");
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else {
        const replacement = ESCAPES[escape];
        if (replacement === undefined) return (this.pos = pos), this.fail(`bad escape \\${escape} in string`);
        out += replacement;
        pos += 2;
      }
      chunk = pos;
    }
    this.pos = pos + 1;
    return out + text.slice(chunk, pos);
  }
}
