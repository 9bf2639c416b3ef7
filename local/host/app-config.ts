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

/** host.json settings the local host honours (defaults as in Azure); a present member of the wrong shape is an AppConfigError naming it. */
export function readHostSettings(appDir: string): HostSettings {
  const path = join(appDir, "host.json");
  if (!existsSync(path)) return hostSettingsOf({ version: "2.0" });
  const parsed = hostJsonSchema.safeParse(readJson(path));
  if (!parsed.success) {
    throw new AppConfigError(parsed.error.issues.map((issue) => `${path}: ${issue.path.length ? `${issue.path.join(".")} ` : ""}${issue.message}`).join("\n"));
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
