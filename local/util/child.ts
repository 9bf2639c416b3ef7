import { spawn, type ChildProcess } from "node:child_process";
import { whenParentGone } from "./parent-watchdog";

export interface ManagedChild {
  readonly process: ChildProcess;
  /**
   * Stops the child and every process it started (its process group). The SIGTERM is sent at once, in
   * the call itself, so a process about to exit (a signal handler) can still call it.
   */
  stop(): Promise<void>;
}

/** Stops this process's own process group (a managed child leads one), or, failing that, just this process. */
function stopOwnProcessGroup(): void {
  try {
    process.kill(-process.pid, "SIGTERM");
  } catch {
    process.exit(1);
  }
}

/**
 * Loaded first into a Node child: when its parent is gone, it stops its own process group. A detached child
 * gets no signal when its parent is killed outright (SIGKILL, a crash), which would otherwise leave it running
 * with nobody to stop it. Both functions are self-contained, so their source text runs as is in the child.
 */
const PARENT_WATCHDOG = `data:text/javascript,${encodeURIComponent(`(${whenParentGone.toString()})(${stopOwnProcessGroup.toString()});`)}`;

/**
 * Starts a long-running helper process in its own process group, so that stopping it
 * also stops anything it spawned, and nothing is left behind; a Node child (`process.execPath`)
 * also stops by itself when this process dies without stopping it.
 */
export function spawnManaged(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; onOutput?: (line: string) => void } = {}): ManagedChild {
  const child = spawn(command, command === process.execPath ? ["--import", PARENT_WATCHDOG, ...args] : args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const forward = (chunk: Buffer) => {
    if (!options.onOutput) return;
    for (const line of chunk.toString("utf8").split(/\r?\n/)) if (line.trim()) options.onOutput(line);
  };
  child.stdout?.on("data", forward);
  child.stderr?.on("data", forward);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }, 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
