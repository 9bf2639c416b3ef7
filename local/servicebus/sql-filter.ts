/**
 * The subset of Service Bus SQL filter syntax the broker evaluates: comparisons (= <> != < > <= >=),
 * AND, OR, NOT, IN / NOT IN, IS [NOT] NULL, EXISTS(...), LIKE, parentheses, string / number / boolean
 * / NULL literals, and properties `sys.X`, `user.X`, bare names or [bracketed names].
 * Anything else is refused with UnsupportedSqlError when the rule is loaded.
 */
export class UnsupportedSqlError extends Error {
  override readonly name = "UnsupportedSqlError";
}

export type PropertyLookup = (scope: "sys" | "user", name: string) => unknown;
export type SqlPredicate = (lookup: PropertyLookup) => boolean;

type Expression =
  | { kind: "literal"; value: unknown }
  | { kind: "property"; scope: "sys" | "user"; name: string }
  | { kind: "and" | "or"; left: Expression; right: Expression }
  | { kind: "not"; operand: Expression }
  | { kind: "compare"; operator: string; left: Expression; right: Expression }
  | { kind: "in"; operand: Expression; values: Expression[]; negated: boolean }
  | { kind: "isNull"; operand: Expression; negated: boolean }
  | { kind: "exists"; property: Expression }
  | { kind: "like"; operand: Expression; pattern: string; negated: boolean };

interface Token {
  type: "word" | "string" | "number" | "symbol" | "end";
  text: string;
}

const tokenPattern = /\s*(?:(\d+(?:\.\d+)?)|'((?:[^']|'')*)'|(\[[^\]]+\]|[A-Za-z_][A-Za-z0-9_]*(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|\[[^\]]+\]))*)|(<>|!=|<=|>=|[=<>(),]))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  let position = 0;
  while (position < text.length) {
    if (/^\s*$/.test(text.slice(position))) break;
    tokenPattern.lastIndex = position;
    const match = tokenPattern.exec(text);
    if (!match) throw new UnsupportedSqlError(`unsupported SQL filter "${text}": unexpected "${text.slice(position).trim().slice(0, 20)}" at position ${position}`);
    position = tokenPattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ type: "number", text: match[1] });
    else if (match[2] !== undefined) tokens.push({ type: "string", text: match[2].replace(/''/g, "'") });
    else if (match[3] !== undefined) tokens.push({ type: "word", text: match[3] });
    else tokens.push({ type: "symbol", text: match[4] });
  }
  tokens.push({ type: "end", text: "" });
  return tokens;
}

class Parser {
  private index = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.index];
  }
  private next(): Token {
    return this.tokens[this.index++];
  }
  private keyword(word: string): boolean {
    const token = this.peek();
    if (token.type === "word" && token.text.toUpperCase() === word) {
      this.index++;
      return true;
    }
    return false;
  }
  private symbol(text: string): boolean {
    const token = this.peek();
    if (token.type === "symbol" && token.text === text) {
      this.index++;
      return true;
    }
    return false;
  }
  private fail(what: string): never {
    throw new UnsupportedSqlError(`unsupported SQL filter "${this.source}": ${what} near "${this.peek().text || "end"}"`);
  }

  parse(): Expression {
    const expression = this.or();
    if (this.peek().type !== "end") this.fail("unexpected token");
    return expression;
  }
  private or(): Expression {
    let left = this.and();
    while (this.keyword("OR")) left = { kind: "or", left, right: this.and() };
    return left;
  }
  private and(): Expression {
    let left = this.not();
    while (this.keyword("AND")) left = { kind: "and", left, right: this.not() };
    return left;
  }
  private not(): Expression {
    if (this.keyword("NOT")) return { kind: "not", operand: this.not() };
    return this.predicate();
  }
  private predicate(): Expression {
    if (this.keyword("EXISTS")) {
      if (!this.symbol("(")) this.fail("expected (");
      const property = this.operand();
      if (property.kind !== "property" || !this.symbol(")")) this.fail("EXISTS takes one property");
      return { kind: "exists", property };
    }
    if (this.symbol("(")) {
      const inner = this.or();
      if (!this.symbol(")")) this.fail("expected )");
      return inner;
    }
    const left = this.operand();
    const token = this.peek();
    if (token.type === "symbol" && ["=", "<>", "!=", "<", ">", "<=", ">="].includes(token.text)) {
      this.next();
      return { kind: "compare", operator: token.text === "!=" ? "<>" : token.text, left, right: this.operand() };
    }
    if (this.keyword("IS")) {
      const negated = this.keyword("NOT");
      if (!this.keyword("NULL")) this.fail("expected NULL");
      return { kind: "isNull", operand: left, negated };
    }
    const negated = this.keyword("NOT");
    if (this.keyword("IN")) {
      if (!this.symbol("(")) this.fail("expected (");
      const values: Expression[] = [this.operand()];
      while (this.symbol(",")) values.push(this.operand());
      if (!this.symbol(")")) this.fail("expected )");
      return { kind: "in", operand: left, values, negated };
    }
    if (this.keyword("LIKE")) {
      const pattern = this.next();
      if (pattern.type !== "string") this.fail("LIKE takes a string pattern");
      return { kind: "like", operand: left, pattern: pattern.text, negated };
    }
    if (negated) this.fail("expected IN or LIKE");
    if (left.kind === "literal" && typeof left.value === "boolean") return left;
    return this.fail("expected a comparison");
  }
  private operand(): Expression {
    const token = this.next();
    if (token.type === "string") return { kind: "literal", value: token.text };
    if (token.type === "number") return { kind: "literal", value: Number(token.text) };
    if (token.type === "word") {
      const upper = token.text.toUpperCase();
      if (upper === "TRUE" || upper === "FALSE") return { kind: "literal", value: upper === "TRUE" };
      if (upper === "NULL") return { kind: "literal", value: null };
      return propertyOf(token.text);
    }
    return this.fail("expected a value or property");
  }
}

function propertyOf(text: string): Expression {
  const unbracket = (name: string) => name.replace(/^\[|\]$/g, "");
  const dot = text.indexOf(".");
  const prefix = dot > 0 ? text.slice(0, dot).toLowerCase() : "";
  if (prefix === "sys" || prefix === "user") return { kind: "property", scope: prefix, name: unbracket(text.slice(dot + 1)) };
  return { kind: "property", scope: "user", name: unbracket(text) };
}

const missing = Symbol("missing");

/** SQL's three-valued logic: a comparison with a missing or NULL value is unknown (null), as in Service Bus. */
type Truth = boolean | null;

function value(expression: Expression, lookup: PropertyLookup): unknown {
  if (expression.kind === "literal") return expression.value;
  if (expression.kind === "property") {
    const found = lookup(expression.scope, expression.name);
    return found === undefined ? missing : found;
  }
  return truth(expression, lookup);
}

function truth(expression: Expression, lookup: PropertyLookup): Truth {
  switch (expression.kind) {
    case "literal":
    case "property": {
      const found = value(expression, lookup);
      return typeof found === "boolean" ? found : null;
    }
    case "and": {
      const left = truth(expression.left, lookup);
      if (left === false) return false;
      const right = truth(expression.right, lookup);
      if (right === false) return false;
      return left === null || right === null ? null : true;
    }
    case "or": {
      const left = truth(expression.left, lookup);
      if (left === true) return true;
      const right = truth(expression.right, lookup);
      if (right === true) return true;
      return left === null || right === null ? null : false;
    }
    case "not": {
      const operand = truth(expression.operand, lookup);
      return operand === null ? null : !operand;
    }
    case "exists":
      return value(expression.property, lookup) !== missing;
    case "isNull": {
      const found = value(expression.operand, lookup);
      const isNull = found === missing || found === null;
      return expression.negated ? !isNull : isNull;
    }
    case "in": {
      const operand = comparable(value(expression.operand, lookup));
      if (operand === undefined) return null;
      const found = expression.values.some((candidate) => comparable(value(candidate, lookup)) === operand);
      return expression.negated ? !found : found;
    }
    case "like": {
      const operand = value(expression.operand, lookup);
      if (typeof operand !== "string") return null;
      const regex = new RegExp(`^${expression.pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".")}$`, "s");
      return regex.test(operand) !== expression.negated;
    }
    case "compare": {
      const left = comparable(value(expression.left, lookup));
      const right = comparable(value(expression.right, lookup));
      if (left === undefined || right === undefined) return null;
      switch (expression.operator) {
        case "=":
          return left === right;
        case "<>":
          return left !== right;
        case "<":
          return left < right;
        case ">":
          return left > right;
        case "<=":
          return left <= right;
        default:
          return left >= right;
      }
    }
  }
}

function comparable(found: unknown): string | number | boolean | undefined {
  if (found === missing || found === null || found === undefined) return undefined;
  if (found instanceof Date) return found.getTime();
  if (typeof found === "string" || typeof found === "number" || typeof found === "boolean") return found;
  if (typeof found === "bigint") return Number(found);
  return String(found);
}

/** Compiles a SQL filter expression; throws UnsupportedSqlError for syntax outside the supported subset. */
export function compileSqlFilter(text: string): SqlPredicate {
  const expression = new Parser(tokenize(text), text).parse();
  return (lookup) => truth(expression, lookup) === true;
}
