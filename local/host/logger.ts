import type { RpcLogLevel } from "./core-types";

const LEVEL_RANK: Record<RpcLogLevel, number> = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5, none: 6 };

export interface HostLogger {
  /** `context.log` output of a function, with its level. */
  functionLog(functionName: string, invocationId: string, level: RpcLogLevel, message: string): void;
  /** The one line per invocation: function, invocation id, duration and outcome. */
  invocation(functionName: string, invocationId: string, durationMs: number, outcome: "Succeeded" | "Failed", error?: unknown): void;
  /** Host messages (startup, listeners, errors outside an invocation). */
  host(level: RpcLogLevel, message: string): void;
}

export const LOG_LEVELS = Object.keys(LEVEL_RANK) as RpcLogLevel[];

export function isLogLevel(value: unknown): value is RpcLogLevel {
  return typeof value === "string" && value in LEVEL_RANK;
}

/** Writes Functions-host-like lines to a sink (stdout by default), dropping levels below `minimum`. */
export function createLogger(minimum: RpcLogLevel = "information", write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): HostLogger {
  const enabled = (level: RpcLogLevel) => LEVEL_RANK[level] >= LEVEL_RANK[minimum] && level !== "none";
  const stamp = () => new Date().toISOString();
  return {
    functionLog(functionName, invocationId, level, message) {
      if (enabled(level)) write(`[${stamp()}] ${level.padEnd(11)} ${functionName} (${invocationId}): ${message}`);
    },
    invocation(functionName, invocationId, durationMs, outcome, error) {
      const reason = outcome === "Failed" ? `: ${errorMessage(error)}` : "";
      write(`[${stamp()}] Executed 'Functions.${functionName}' (${outcome}, Id=${invocationId}, Duration=${Math.round(durationMs)}ms)${reason}`);
    },
    host(level, message) {
      if (enabled(level)) write(`[${stamp()}] ${level.padEnd(11)} host: ${message}`);
    },
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
