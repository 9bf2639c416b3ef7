import { locationOf, type ParsedBicepFile, type SourceLocation, type SyntaxNode } from "./bicep-syntax";

/** An expression only Azure can evaluate (a resource property, a function of one); kept as its text. */
export class Opaque {
  constructor(readonly text: string) {}
}

export type BicepValue = string | number | boolean | null | Opaque | BicepValue[] | { [key: string]: BicepValue };

/** The member at `path` of an evaluated value, or undefined where a step is not a literal object. */
export function valueAt(value: BicepValue | undefined, ...path: string[]): BicepValue | undefined {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== "object" || current instanceof Opaque || Array.isArray(current)) return undefined;
    current = current[key];
  }
  return current;
}

export interface ResourceDeclaration {
  symbol: string;
  /** e.g. `Microsoft.ServiceBus/namespaces/queues` */
  type: string;
  apiVersion: string;
  existing: boolean;
  /** Text of the `if (...)` condition when the resource is conditional. */
  condition?: string;
  /** The resource's body object (inside any `if` or `for`). */
  body: SyntaxNode;
  loop?: { item: string; collection: SyntaxNode };
  location: SourceLocation;
}

/** One entry of an object-valued expression: literal keys, `union(...)` and both branches of `?:`. */
export interface ObjectEntry {
  key: string;
  value: SyntaxNode;
  /** Behind a ternary branch: present in some deployments only. */
  conditional: boolean;
}

/** `module <symbol> '<path>' = [if (...)] {...}` */
export interface ModuleDeclaration {
  symbol: string;
  /** Path as written, relative to the declaring file. */
  path: string;
  condition?: string;
  /** The module's body object (inside any `if` or `for`), with `params`. */
  body: SyntaxNode;
  location: SourceLocation;
}

export interface ParameterDeclaration {
  defaultValue?: SyntaxNode;
  decorators: string[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function unescape(sequence: string): string {
  const escapes: Record<string, string> = { "\\'": "'", "\\\\": "\\", "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\$": "$" };
  return escapes[sequence] ?? sequence;
}

/** The declarations of one Bicep file and a small evaluator for the literal parts of its expressions. */
export class BicepModule {
  readonly params = new Map<string, ParameterDeclaration>();
  readonly vars = new Map<string, SyntaxNode>();
  /** Output name → its value expression. */
  readonly outputs = new Map<string, SyntaxNode>();
  readonly resources: ResourceDeclaration[] = [];
  readonly moduleDeclarations: ModuleDeclaration[] = [];
  private readonly evaluating = new Set<string>();

  constructor(readonly parsed: ParsedBicepFile) {
    for (const node of parsed.root.namedChildren) this.declare(node);
  }

  get file(): string {
    return this.parsed.file;
  }

  private declare(node: SyntaxNode): void {
    const [nameNode] = node.namedChildren;
    if (node.type === "parameter_declaration") {
      const children = node.namedChildren;
      const last = children[children.length - 1];
      this.params.set(nameNode.text, {
        defaultValue: children.length > 2 ? last : undefined,
        decorators: this.decoratorsOf(node),
      });
    } else if (node.type === "variable_declaration") {
      this.vars.set(nameNode.text, node.namedChildren[1]);
    } else if (node.type === "resource_declaration") {
      this.resources.push(this.resourceOf(node));
    } else if (node.type === "module_declaration") {
      const [, pathNode, valueNode] = node.namedChildren;
      let body = valueNode;
      if (body.type === "for_statement") body = body.namedChildren[body.namedChildren.length - 1];
      const condition = body.type === "if_statement" ? body.namedChildren[0].text : undefined;
      if (body.type === "if_statement") body = body.namedChildren[1];
      this.moduleDeclarations.push({ symbol: nameNode.text, path: String(this.evaluate(pathNode)), condition, body, location: locationOf(this.file, node) });
    } else if (node.type === "output_declaration") {
      const children = node.namedChildren;
      this.outputs.set(nameNode.text, children[children.length - 1]);
    }
  }

  private decoratorsOf(node: SyntaxNode): string[] {
    const previous = node.previousNamedSibling;
    if (previous?.type !== "decorators") return [];
    return previous.namedChildren.map((decorator) => decorator.namedChildren[0]?.namedChildren[0]?.text ?? "");
  }

  private resourceOf(node: SyntaxNode): ResourceDeclaration {
    const [symbolNode, typeNode, valueNode] = node.namedChildren;
    const [type, apiVersion = ""] = String(this.evaluate(typeNode)).split("@");
    const declaration: ResourceDeclaration = {
      symbol: symbolNode.text,
      type,
      apiVersion,
      existing: node.children.some((child) => child.type === "existing"),
      body: valueNode,
      location: locationOf(this.file, node),
    };
    let body = valueNode;
    if (body.type === "for_statement") {
      const named = body.namedChildren;
      declaration.loop = { item: named[0].text, collection: named[1] };
      body = named[named.length - 1];
    }
    if (body.type === "if_statement") {
      declaration.condition = body.namedChildren[0].text;
      body = body.namedChildren[1];
    }
    declaration.body = body;
    return declaration;
  }

  resourcesOfType(type: string): ResourceDeclaration[] {
    return this.resources.filter((resource) => resource.type.toLowerCase() === type.toLowerCase());
  }

  resourceBySymbol(symbol: string): ResourceDeclaration | undefined {
    return this.resources.find((resource) => resource.symbol === symbol);
  }

  moduleBySymbol(symbol: string): ModuleDeclaration | undefined {
    return this.moduleDeclarations.find((declaration) => declaration.symbol === symbol);
  }

  /** The value node of `key` in an object literal, if present. */
  property(objectNode: SyntaxNode | undefined, key: string): SyntaxNode | undefined {
    if (objectNode?.type !== "object") return undefined;
    return this.entries(objectNode).find((entry) => entry.key === key)?.value;
  }

  /** Entries of an object-valued expression, following variables, `union(...)` and ternaries. */
  entries(node: SyntaxNode, conditional = false): ObjectEntry[] {
    switch (node.type) {
      case "object":
        return node.namedChildren
          .filter((child) => child.type === "object_property")
          .map((property) => {
            const children = property.namedChildren;
            const keyNode = children[0];
            const key = keyNode.type === "string" ? String(this.evaluate(keyNode)) : keyNode.text;
            return { key, value: children[children.length - 1], conditional };
          });
      case "identifier": {
        const variable = this.vars.get(node.text);
        return variable ? this.entries(variable, conditional) : [];
      }
      case "parenthesized_expression":
        return this.entries(node.namedChildren[0], conditional);
      case "ternary_expression":
        return [
          ...this.entries(node.childForFieldName("consequence")!, true),
          ...this.entries(node.childForFieldName("alternative")!, true),
        ];
      case "call_expression":
        if (node.childForFieldName("function")?.text !== "union") return [];
        return node.childForFieldName("arguments")!.namedChildren.flatMap((argument) => this.entries(argument, conditional));
      default:
        return [];
    }
  }

  /** Literal value of an expression; `Opaque` where only Azure can tell. */
  evaluate(node: SyntaxNode): BicepValue {
    switch (node.type) {
      case "string":
        return this.evaluateString(node);
      case "number":
        return Number(node.text);
      case "boolean":
        return node.text === "true";
      case "null":
        return null;
      case "array":
        return node.namedChildren.filter((child) => child.type !== "decorators").map((child) => this.evaluate(child));
      case "object":
        return Object.fromEntries(this.entries(node).map((entry) => [entry.key, this.evaluate(entry.value)]));
      case "parenthesized_expression":
        return this.evaluate(node.namedChildren[0]);
      case "identifier":
      case "compatible_identifier":
        return this.evaluateIdentifier(node);
      case "member_expression": {
        const target = this.evaluate(node.childForFieldName("object")!);
        const property = node.childForFieldName("property")!.text;
        if (target && typeof target === "object" && !(target instanceof Opaque) && !Array.isArray(target)) {
          return target[property] ?? new Opaque(node.text);
        }
        return new Opaque(node.text);
      }
      default:
        return new Opaque(node.text);
    }
  }

  private evaluateIdentifier(node: SyntaxNode): BicepValue {
    const name = node.text;
    const source = this.vars.get(name) ?? this.params.get(name)?.defaultValue;
    if (!source || this.evaluating.has(name)) return new Opaque(name);
    this.evaluating.add(name);
    try {
      return this.evaluate(source);
    } finally {
      this.evaluating.delete(name);
    }
  }

  private evaluateString(node: SyntaxNode): BicepValue {
    let text = "";
    for (const part of node.namedChildren) {
      if (part.type === "string_content") text += part.text;
      else if (part.type === "escape_sequence") text += unescape(part.text);
      else {
        const value = this.evaluate(part.namedChildren[0]);
        if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return new Opaque(node.text);
        text += String(value);
      }
    }
    return text;
  }

  /** The expression's text with variables written out, so that a key hidden behind a variable shows. */
  expand(node: SyntaxNode, depth = 0): string {
    if (depth > 20) return node.text;
    if (node.type === "identifier" && this.vars.has(node.text)) return this.expand(this.vars.get(node.text)!, depth + 1);
    if (node.namedChildCount === 0) return node.text;
    let text = "";
    let offset = node.startIndex;
    for (const child of node.namedChildren) {
      text += this.parsed.text.slice(offset, child.startIndex) + this.expand(child, depth + 1);
      offset = child.endIndex;
    }
    return text + this.parsed.text.slice(offset, node.endIndex);
  }

  /** Role-definition GUIDs an expression names, through variables and member access. */
  guidsIn(node: SyntaxNode): string[] {
    const found = new Set<string>();
    const visit = (current: SyntaxNode): void => {
      if (["string", "identifier", "member_expression"].includes(current.type)) {
        const value = this.evaluate(current);
        if (typeof value === "string" && GUID.test(value)) {
          found.add(value.toLowerCase());
          return;
        }
      }
      for (const child of current.namedChildren) visit(child);
    };
    visit(node);
    return [...found];
  }

  /** Names a resource declaration creates: one, or one per element of a `for` over a literal array. */
  namesOf(resource: ResourceDeclaration): BicepValue[] {
    const nameNode = this.property(resource.body, "name");
    if (!nameNode) return [];
    if (resource.loop && nameNode.type === "identifier" && nameNode.text === resource.loop.item) {
      const collection = this.evaluate(resource.loop.collection);
      return Array.isArray(collection) ? collection : [collection];
    }
    return [this.evaluate(nameNode)];
  }
}
