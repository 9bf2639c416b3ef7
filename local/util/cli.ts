import { accessSync, constants, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

/** The shared shape of the local runtime's command-line entry points (npm start, host, storage). */

/** A mistake in the command line: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Reads `--name value` options, all strings; an unknown option or a missing value is a UsageError. */
export function parseOptions<const Name extends string>(names: readonly Name[], args: string[] = process.argv.slice(2)): Partial<Record<Name, string>> {
  const options = Object.fromEntries(names.map((name) => [name, { type: "string" as const }]));
  try {
    return parseArgs({ args, options }).values as Partial<Record<Name, string>>;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Reads `--port`: absent → `fallback`; anything but 0–65535 → UsageError. */
export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: "${text}" is not a port number`);
  return port;
}

/** Reads `--time-scale`: absent → undefined; anything but a positive number → UsageError. */
export function parseTimeScale(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const scale = Number(text);
  if (!(scale > 0)) throw new UsageError(`--time-scale: "${text}" must be a positive number`);
  return scale;
}

/** Reads `--data`: absent or empty → undefined; else the directory, created if need be; a path that cannot be one → UsageError. */
export function parseDataDir(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const dir = resolve(text);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new UsageError(`--data: "${text}" cannot be used as a data directory (${error instanceof Error ? error.message : String(error)})`);
  }
  return dir;
}

/** The signals that stop a long-running command: Ctrl-C, SIGTERM, and SIGHUP (the terminal closed). */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** On Ctrl-C, SIGTERM or SIGHUP (the terminal closed), runs `stop` once and exits: children such as Azurite run detached and would outlive us. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    void stop().then(() => process.exit(0));
  };
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
}

/**
 * Runs an entry point: usage mistakes (and errors `isUsageError` recognises) exit with code 2 and the
 * usage text, anything else with code 1 and its message.
 */
export function runCli(main: () => Promise<void>, usage: string, isUsageError: (error: unknown) => boolean = () => false): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      console.error(`${message}\n${usage}`);
      process.exit(2);
    }
    console.error(message);
    process.exit(isUsageError(error) ? 2 : 1);
  });
}
