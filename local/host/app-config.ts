import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { globSync } from "tinyglobby";
import { z } from "zod";
import { isLogLevel, LOG_LEVELS } from "./logger";
import type { RpcLogLevel } from "./core-types";

/** A startup problem in the app's files: reported with its location, exit code 2. */
export class AppConfigError extends Error {
  override readonly name = "AppConfigError";
}

export interface HostSettings {
  routePrefix: string;
  hubName: string;
  /** extensions.durableTask.maxConcurrentActivityFunctions (default 10, as on Consumption). */
  maxConcurrentActivityFunctions: number;
  serviceBus: { maxConcurrentCalls: number; maxConcurrentSessions: number; autoCompleteMessages: boolean };
  logLevel: RpcLogLevel;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new AppConfigError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json => (value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {});

const section = <Shape extends z.core.$ZodLooseShape>(shape: Shape) => z.looseObject(shape, { error: "must be an object" }).optional();
const positiveInteger = z.number({ error: "must be a positive integer" }).int().positive().optional();

/** The host.json members the local host honours; others are left alone, as the Functions host ignores what it does not know. */
const hostJsonSchema = z.looseObject(
  {
    version: z.literal("2.0", { error: 'must be "2.0" (the Functions runtime v4 host.json schema)' }),
    logging: section({
      logLevel: section({
        default: z
          .string({ error: `must be one of ${LOG_LEVELS.join(", ")}` })
          .transform((level) => level.toLowerCase())
          .pipe(z.custom<RpcLogLevel>(isLogLevel, { error: `must be one of ${LOG_LEVELS.join(", ")}` }))
          .optional(),
      }),
    }),
    extensions: section({
      http: section({ routePrefix: z.string({ error: "must be a string" }).optional() }),
      durableTask: section({ hubName: z.string({ error: "must be a non-empty string" }).min(1).optional(), maxConcurrentActivityFunctions: positiveInteger }),
      serviceBus: section({ maxConcurrentCalls: positiveInteger, maxConcurrentSessions: positiveInteger, autoCompleteMessages: z.boolean({ error: "must be true or false" }).optional() }),
    }),
  },
  { error: "must be a JSON object" },
);

/** The app-setting prefix that overrides a host.json member, as in Azure: `AzureFunctionsJobHost__extensions__durableTask__hubName`. */
export const HOST_JSON_OVERRIDE_PREFIX = "AzureFunctionsJobHost__";

/** The member names a schema level knows (through `.optional()`), to spell an override's segment as host.json does. */
function knownMembers(schema: unknown): Record<string, unknown> {
  let current = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown } | undefined;
  while (current && !current.shape && typeof current.unwrap === "function") current = current.unwrap() as typeof current;
  return current?.shape ?? {};
}

/**
 * Applies `AzureFunctionsJobHost__a__b__c` settings onto host.json as Azure does: the path's segments are
 * matched without regard to case, the value is a string (a number or true/false where the member is one).
 * Returns the overridden members' paths (dotted, as host.json spells them) with the setting that set each.
 */
function applyHostJsonOverrides(hostJson: Json, env: NodeJS.ProcessEnv): Map<string, string> {
  const applied = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name.slice(0, HOST_JSON_OVERRIDE_PREFIX.length).toLowerCase() !== HOST_JSON_OVERRIDE_PREFIX.toLowerCase()) continue;
    const segments = name.slice(HOST_JSON_OVERRIDE_PREFIX.length).split("__");
    if (segments.some((segment) => segment === "")) continue;
    let target = hostJson;
    let schema: unknown = hostJsonSchema;
    const path: string[] = [];
    segments.forEach((segment, index) => {
      const members = knownMembers(schema);
      const key = [...Object.keys(target), ...Object.keys(members)].find((candidate) => candidate.toLowerCase() === segment.toLowerCase()) ?? segment;
      path.push(key);
      schema = members[key];
      if (index === segments.length - 1) target[key] = overrideValue(value, target[key]);
      else target = target[key] = object(target[key]);
    });
    applied.set(path.join("."), name);
  }
  return applied;
}

/** An app setting's text as the member it replaces would be read (.NET binds strings to numbers and booleans). */
function overrideValue(text: string, current: unknown): unknown {
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === "true";
  if (typeof current !== "string" && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

/**
 * host.json settings the local host honours (defaults as in Azure), with `AzureFunctionsJobHost__…` app
 * settings overriding its members; a member of the wrong shape is an AppConfigError naming the file and
 * member, or the setting that set it.
 */
export function readHostSettings(appDir: string, env: NodeJS.ProcessEnv = process.env): HostSettings {
  const path = join(appDir, "host.json");
  const hostJson = existsSync(path) ? readJson(path) : { version: "2.0" };
  const overridden = hostJson && typeof hostJson === "object" && !Array.isArray(hostJson) ? applyHostJsonOverrides(hostJson as Json, env) : new Map<string, string>();
  const parsed = hostJsonSchema.safeParse(hostJson);
  if (!parsed.success) {
    const where = (member: string) => {
      const setting = overridden.get(member);
      return setting ? `${setting} (${member})` : `${path}: ${member}`;
    };
    throw new AppConfigError(parsed.error.issues.map((issue) => (issue.path.length ? `${where(issue.path.join("."))} ${issue.message}` : `${path}: ${issue.message}`)).join("\n"));
  }
  return hostSettingsOf(parsed.data);
}

function hostSettingsOf(hostJson: z.infer<typeof hostJsonSchema>): HostSettings {
  const { http, durableTask, serviceBus } = hostJson.extensions ?? {};
  return {
    routePrefix: (http?.routePrefix ?? "api").replace(/^\/+|\/+$/g, ""),
    hubName: durableTask?.hubName ?? "TestHubName",
    maxConcurrentActivityFunctions: durableTask?.maxConcurrentActivityFunctions ?? 10,
    serviceBus: {
      maxConcurrentCalls: serviceBus?.maxConcurrentCalls ?? 16,
      maxConcurrentSessions: serviceBus?.maxConcurrentSessions ?? 8,
      autoCompleteMessages: serviceBus?.autoCompleteMessages ?? true,
    },
    logLevel: hostJson.logging?.logLevel?.default ?? "information",
  };
}

/**
 * Applies local.settings.json `Values` as environment variables, as `func start` does; variables
 * already set in the environment win. Falls back to local.settings.example.json when asked.
 * Returns the file used, if any.
 */
export function applyLocalSettings(appDir: string, options: { fallbackToExample?: boolean } = {}): string | undefined {
  const candidates = ["local.settings.json", ...(options.fallbackToExample ? ["local.settings.example.json"] : [])];
  const path = candidates.map((name) => join(appDir, name)).find((candidate) => existsSync(candidate));
  if (!path) return undefined;
  const values = object(object(readJson(path)).Values);
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== "string") throw new AppConfigError(`${path}: Values.${name} must be a string`);
    if (process.env[name] === undefined) process.env[name] = value;
  }
  return path;
}

/** The app's entry files: its package.json `main`, which may be a glob as in Azure Functions. */
export function resolveEntryFiles(appDir: string): string[] {
  const packagePath = join(appDir, "package.json");
  if (!existsSync(packagePath)) throw new AppConfigError(`${packagePath}: not found; --app must name a v4 app directory`);
  const main = object(readJson(packagePath)).main;
  if (typeof main !== "string" || !main) throw new AppConfigError(`${packagePath}: "main" must name the app's entry file(s)`);
  return globSync(main, { cwd: appDir, absolute: true }).sort().map((file) => resolve(file));
}
