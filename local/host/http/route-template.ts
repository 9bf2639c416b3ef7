/**
 * ASP.NET-style route templates as Azure Functions HTTP triggers use them: literal segments,
 * `{name}`, `{name?}` (optional), `{name=default}`, `{*rest}` (catch-all), and inline constraints
 * `{id:int}`, `{id:int:min(1)}`, `{code:regex(^[a-z]+$)}`, …
 */

export interface CompiledRoute {
  readonly template: string;
  /** Parameter values by name (decoded) if the path matches, else undefined. */
  match(path: string): Record<string, string> | undefined;
}

interface Parameter {
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: ((value: string) => boolean)[];
}

export class RouteTemplateError extends Error {
  override readonly name = "RouteTemplateError";
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function constraint(spec: string, template: string): (value: string) => boolean {
  const call = /^(\w+)(?:\((.*)\))?$/s.exec(spec);
  if (!call) throw new RouteTemplateError(`Invalid constraint "${spec}" in route "${template}"`);
  const [, kind, rawArgs = ""] = call;
  const args = rawArgs.split(",").map((arg) => arg.trim());
  const num = (i: number) => Number(args[i]);
  switch (kind.toLowerCase()) {
    case "int":
      return (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31;
    case "long":
      return (v) => /^-?\d+$/.test(v);
    case "bool":
      return (v) => /^(true|false)$/i.test(v);
    case "alpha":
      return (v) => /^[a-z]+$/i.test(v);
    case "guid":
      return (v) => /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i.test(v);
    case "decimal":
    case "double":
    case "float":
      return (v) => NUMBER.test(v);
    case "datetime":
      return (v) => !Number.isNaN(Date.parse(v));
    case "minlength":
      return (v) => v.length >= num(0);
    case "maxlength":
      return (v) => v.length <= num(0);
    case "length":
      return args.length === 2 ? (v) => v.length >= num(0) && v.length <= num(1) : (v) => v.length === num(0);
    case "min":
      return (v) => NUMBER.test(v) && Number(v) >= num(0);
    case "max":
      return (v) => NUMBER.test(v) && Number(v) <= num(0);
    case "range":
      return (v) => NUMBER.test(v) && Number(v) >= num(0) && Number(v) <= num(1);
    case "regex": {
      const pattern = new RegExp(rawArgs, "i");
      return (v) => pattern.test(v);
    }
    default:
      throw new RouteTemplateError(`Unknown route constraint "${kind}" in route "${template}"`);
  }
}

/** Splits `name:int:min(1)` on colons that are not inside parentheses. */
function splitConstraints(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of body) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === ":" && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function parseParameter(body: string, template: string): Parameter {
  const [head, ...constraintSpecs] = splitConstraints(body);
  let name = head;
  let defaultValue: string | undefined;
  let optional = false;
  const last = constraintSpecs.length > 0 ? constraintSpecs.length - 1 : -1;
  const tail = last >= 0 ? constraintSpecs[last] : name;
  const defaultAt = tail.indexOf("=");
  let cleanTail = tail;
  if (defaultAt >= 0 && !tail.startsWith("regex(")) {
    defaultValue = tail.slice(defaultAt + 1);
    cleanTail = tail.slice(0, defaultAt);
  }
  if (cleanTail.endsWith("?")) {
    optional = true;
    cleanTail = cleanTail.slice(0, -1);
  }
  if (last >= 0) constraintSpecs[last] = cleanTail;
  else name = cleanTail;
  const catchAll = name.startsWith("*");
  name = name.replace(/^\*{1,2}/, "");
  if (!/^\w+$/.test(name)) throw new RouteTemplateError(`Invalid route parameter "{${body}}" in route "${template}"`);
  return { name, optional: optional || catchAll || defaultValue !== undefined, catchAll, defaultValue, constraints: constraintSpecs.map((spec) => constraint(spec, template)) };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function compileRoute(template: string): CompiledRoute {
  const parameters: Parameter[] = [];
  const segments = template.replace(/^\/+|\/+$/g, "").split("/").filter((segment) => segment !== "");
  let pattern = "^";
  segments.forEach((segment, index) => {
    const pieces = segment.split(/(\{[^{}]*(?:\([^)]*\)[^{}]*)?\})/).filter((piece) => piece !== "");
    const single = pieces.length === 1 && pieces[0].startsWith("{");
    let segmentPattern = "";
    for (const piece of pieces) {
      if (!piece.startsWith("{")) {
        segmentPattern += escapeRegex(piece);
        continue;
      }
      const parameter = parseParameter(piece.slice(1, -1), template);
      if (parameter.catchAll && index !== segments.length - 1) {
        throw new RouteTemplateError(`A catch-all parameter must be the last segment of route "${template}"`);
      }
      parameters.push(parameter);
      segmentPattern += parameter.catchAll ? "(.*)" : "([^/]+)";
      if (!single && parameter.optional) segmentPattern += "?";
    }
    const optional = single && parameters[parameters.length - 1].optional;
    pattern += optional ? `(?:/${segmentPattern})?` : `/${segmentPattern}`;
  });
  const regex = new RegExp(`${pattern}/?$`, "i");
  return {
    template,
    match(path) {
      const normalized = `/${path.replace(/^\/+/, "")}`;
      const found = regex.exec(normalized === "/" ? "" : normalized) ?? regex.exec(normalized);
      if (!found) return undefined;
      const values: Record<string, string> = {};
      for (const [i, parameter] of parameters.entries()) {
        const raw = found[i + 1];
        if (raw === undefined || raw === "") {
          if (parameter.defaultValue !== undefined) values[parameter.name] = parameter.defaultValue;
          else if (!parameter.optional) return undefined;
          continue;
        }
        const value = safeDecode(raw);
        if (!parameter.constraints.every((check) => check(value))) return undefined;
        values[parameter.name] = value;
      }
      return values;
    },
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
