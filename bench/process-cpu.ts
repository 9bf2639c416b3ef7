import { readFileSync } from "node:fs";

/** /proc reports CPU times in USER_HZ, which Linux fixes at 100 ticks a second for user space. */
const TICKS_PER_SECOND = 100;

/**
 * Milliseconds of CPU (user + system) another process has used so far, from /proc/<pid>/stat; undefined
 * where there is no /proc (not Linux) or the process is gone.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th field, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
