import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { globSync } from "tinyglobby";
import { isLogLevel } from "./logger";
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

const positive = (value: unknown, fallback: number): number => (typeof value === "number" && Number.isInteger(value) && value > 0 ? value : fallback);

/** host.json settings the local host honours (defaults as in Azure). */
export function readHostSettings(appDir: string): HostSettings {
  const path = join(appDir, "host.json");
  const hostJson = existsSync(path) ? object(readJson(path)) : {};
  const extensions = object(hostJson.extensions);
  const http = object(extensions.http);
  const durable = object(extensions.durableTask);
  const serviceBus = object(extensions.serviceBus);
  const logLevel = object(object(hostJson.logging).logLevel).default;
  const prefix = typeof http.routePrefix === "string" ? http.routePrefix : "api";
  return {
    routePrefix: prefix.replace(/^\/+|\/+$/g, ""),
    hubName: typeof durable.hubName === "string" && durable.hubName ? durable.hubName : "TestHubName",
    maxConcurrentActivityFunctions: positive(durable.maxConcurrentActivityFunctions, 10),
    serviceBus: {
      maxConcurrentCalls: positive(serviceBus.maxConcurrentCalls, 16),
      maxConcurrentSessions: positive(serviceBus.maxConcurrentSessions, 8),
      autoCompleteMessages: serviceBus.autoCompleteMessages !== false,
    },
    logLevel: isLogLevel(typeof logLevel === "string" ? logLevel.toLowerCase() : logLevel) ? (String(logLevel).toLowerCase() as RpcLogLevel) : "information",
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
