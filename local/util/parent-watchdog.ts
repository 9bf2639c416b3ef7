/**
 * Calls `onOrphaned`, which is to end the process, once this process's parent is gone (the process has been
 * re-parented); it checks every half second and does not keep the process alive.
 *
 * It uses nothing but its argument and globals, so that a child can be handed its source text to run before
 * its own code (local/util/child.ts); keep it that way.
 */
export function whenParentGone(onOrphaned: () => void): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) onOrphaned();
  }, 500).unref();
}
