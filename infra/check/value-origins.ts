import type { BicepModule, ModuleDeclaration } from "./bicep-model";
import type { SyntaxNode } from "./bicep-syntax";
import { moduleTargetFile } from "./infra-facts";

/**
 * Where one leaf of a value comes from, followed through variables, `?:` branches, module parameters
 * (to what each caller passes) and module outputs:
 * - `resource`: a property of a declared resource, e.g. an identity's `properties.clientId` or its `id`;
 * - `parameter`: a parameter no module call sets (one of main.bicep's, given at deployment);
 * - `other`: anything else (a literal, a function call), kept as its text.
 */
export type ValueOrigin =
  | { kind: "resource"; file: string; symbol: string; type: string; path: string[] }
  | { kind: "parameter"; file: string; name: string }
  | { kind: "other"; file: string; text: string; module: BicepModule; node: SyntaxNode };

export type ResourceOrigin = Extract<ValueOrigin, { kind: "resource" }>;

/** A `module` statement and the file that holds it. */
export interface ModuleCall {
  caller: BicepModule;
  declaration: ModuleDeclaration;
  target: BicepModule;
}

const MAX_DEPTH = 30;

/** Follows values across the Bicep files of one deployment. */
export class ValueTracer {
  private readonly byFile: Map<string, BicepModule>;

  constructor(readonly modules: BicepModule[]) {
    this.byFile = new Map(modules.map((module) => [module.file, module]));
  }

  /** The file a `module` statement of `caller` deploys. */
  targetOf(caller: BicepModule, declaration: ModuleDeclaration): BicepModule | undefined {
    return this.byFile.get(moduleTargetFile(caller, declaration));
  }

  /** Every `module` statement that deploys `target`. */
  callsOf(target: BicepModule): ModuleCall[] {
    return this.modules.flatMap((caller) =>
      caller.moduleDeclarations.filter((declaration) => this.targetOf(caller, declaration) === target).map((declaration) => ({ caller, declaration, target })),
    );
  }

  /** The value a `module` statement passes for one of its target's parameters. */
  argument(call: ModuleCall, parameter: string): SyntaxNode | undefined {
    return call.caller.property(call.caller.property(call.declaration.body, "params"), parameter);
  }

  origins(module: BicepModule, node: SyntaxNode, depth = 0): ValueOrigin[] {
    const other: ValueOrigin[] = [{ kind: "other", file: module.file, text: node.text, module, node }];
    if (depth > MAX_DEPTH) return other;
    switch (node.type) {
      case "parenthesized_expression":
        return this.origins(module, node.namedChildren[0], depth + 1);
      case "ternary_expression":
        return [
          ...this.origins(module, node.childForFieldName("consequence")!, depth + 1),
          ...this.origins(module, node.childForFieldName("alternative")!, depth + 1),
        ];
      case "identifier":
        return this.originsOfName(module, node.text, [], depth) ?? other;
      case "member_expression": {
        const path: string[] = [];
        let current = node;
        while (current.type === "member_expression") {
          path.unshift(current.childForFieldName("property")!.text);
          current = current.childForFieldName("object")!;
        }
        return (current.type === "identifier" && this.originsOfName(module, current.text, path, depth)) || other;
      }
      default:
        return other;
    }
  }

  private originsOfName(module: BicepModule, name: string, path: string[], depth: number): ValueOrigin[] | undefined {
    const variable = module.vars.get(name);
    if (variable) return path.length === 0 ? this.origins(module, variable, depth + 1) : undefined;
    const resource = module.resourceBySymbol(name);
    if (resource) return [{ kind: "resource", file: module.file, symbol: name, type: resource.type, path }];
    const declaration = module.moduleBySymbol(name);
    if (declaration) {
      const target = this.targetOf(module, declaration);
      const output = path[0] === "outputs" && path.length === 2 ? target?.outputs.get(path[1]) : undefined;
      return target && output ? this.origins(target, output, depth + 1) : undefined;
    }
    const parameter = module.params.get(name);
    if (!parameter || path.length > 0) return undefined;
    const calls = this.callsOf(module);
    if (calls.length === 0) return [{ kind: "parameter", file: module.file, name }];
    return calls.flatMap((call) => {
      const argument = this.argument(call, name);
      if (argument) return this.origins(call.caller, argument, depth + 1);
      return parameter.defaultValue ? this.origins(module, parameter.defaultValue, depth + 1) : [];
    });
  }

  /**
   * The resources whose properties an expression reads, looking also inside what `origins` leaves as
   * text (function calls, interpolations, indexing): `split(namespace.properties.serviceBusEndpoint, ':')[0]`
   * reads the namespace's `properties.serviceBusEndpoint`.
   */
  resourcesIn(module: BicepModule, node: SyntaxNode, depth = 0): ResourceOrigin[] {
    if (depth > MAX_DEPTH) return [];
    return this.origins(module, node).flatMap((origin) => {
      if (origin.kind === "resource") return [origin];
      if (origin.kind === "parameter") return [];
      return origin.node.namedChildren.flatMap((child) => this.resourcesIn(origin.module, child, depth + 1));
    });
  }

  /** Parameters of `module` an expression reads, through its variables. */
  parametersIn(module: BicepModule, node: SyntaxNode): Set<string> {
    const found = new Set<string>();
    const seen = new Set<string>();
    const visit = (current: SyntaxNode): void => {
      if (current.type === "identifier") {
        const name = current.text;
        if (module.params.has(name)) found.add(name);
        const variable = module.vars.get(name);
        if (variable && !seen.has(name)) {
          seen.add(name);
          visit(variable);
        }
        return;
      }
      for (const child of current.namedChildren) {
        // An object's keys are names, not references.
        if (current.type === "object_property" && child === current.namedChildren[0]) continue;
        visit(child);
      }
    };
    visit(node);
    return found;
  }
}
