import { whenParentGone } from "../../local/util/parent-watchdog";

// Loaded in every test worker (vitest setupFiles). A worker whose test run was killed (its parent gone:
// SIGTERM or SIGKILL to vitest alone) would run on; it ends instead, so that the hosts its tests started,
// which stop when their parent ends (local/util/child.ts), do not outlive the run either.
const WATCHING = Symbol.for("event-pipeline.test-worker.watching-parent");
const worker = globalThis as { [WATCHING]?: true };

if (!worker[WATCHING]) {
  worker[WATCHING] = true;
  whenParentGone(() => process.exit(1));
}
