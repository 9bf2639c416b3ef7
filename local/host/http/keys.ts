import { randomBytes, timingSafeEqual } from "node:crypto";

export type AuthLevel = "anonymous" | "function" | "admin" | "system";

/**
 * Function keys, from settings (local.settings.json Values or the environment):
 * `FUNCTIONS_MASTER_KEY` (admin level, accepted everywhere), `FUNCTIONS_DEFAULT_KEY` (function level,
 * every function), `FUNCTIONS_KEY_<FunctionName>` (function level, that function), and
 * `FUNCTIONS_DURABLETASK_EXTENSION_KEY` (the system key of the Durable management API; a random one
 * per start when unset). Keys are never logged.
 */
export class FunctionKeys {
  readonly master?: string;
  readonly defaultKey?: string;
  readonly durableSystemKey: string;
  readonly #env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#env = env;
    this.master = env.FUNCTIONS_MASTER_KEY || undefined;
    this.defaultKey = env.FUNCTIONS_DEFAULT_KEY || undefined;
    this.durableSystemKey = env.FUNCTIONS_DURABLETASK_EXTENSION_KEY || randomBytes(24).toString("base64url");
  }

  functionKey(functionName: string): string | undefined {
    return this.#env[`FUNCTIONS_KEY_${functionName}`] || undefined;
  }

  /** True if `presented` grants `level` for the function (or the system API when level is "system"). */
  allows(level: AuthLevel, presented: string | undefined, functionName?: string): boolean {
    if (level === "anonymous") return true;
    if (!presented) return false;
    const accepted = [this.master];
    if (level === "function" && functionName) accepted.push(this.defaultKey, this.functionKey(functionName));
    if (level === "system") accepted.push(this.durableSystemKey);
    return accepted.some((key) => key !== undefined && sameSecret(key, presented));
  }
}

function sameSecret(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The key a request presents: the `code` query parameter or the `x-functions-key` header. */
export function presentedKey(url: URL, headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers["x-functions-key"];
  return url.searchParams.get("code") ?? (Array.isArray(header) ? header[0] : header) ?? undefined;
}
