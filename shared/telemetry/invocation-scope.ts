import { AsyncLocalStorage } from "node:async_hooks";

/** What the structured log writes through: an InvocationContext's level methods (or the console). */
export interface InvocationLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const invocations = new AsyncLocalStorage<InvocationLogger>();

/** The logger of the invocation this code runs in, if any. */
export function currentInvocation(): InvocationLogger | undefined {
  return invocations.getStore();
}

/** Runs `work` as part of an invocation (what the hook does for every function; tests call it). */
export function inInvocation<T>(invocation: InvocationLogger, work: () => T): T {
  return invocations.run(invocation, work);
}

let scoped = false;

/**
 * Runs every function handler within its invocation's scope, so code far from the handler (a job
 * attempt, the poster's observer) logs through that invocation's logger. A preInvocation hook, as
 * Microsoft's instrumentation binds the trace context; `@azure/functions` is required here, not imported,
 * so that it loads after Azure Monitor patched it (shared/telemetry/start.ts).
 */
export function scopeInvocations(): void {
  if (scoped) return;
  scoped = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- after startAzureMonitor, see above
  const { app } = require("@azure/functions") as typeof import("@azure/functions");
  app.hook.preInvocation((hook) => {
    const handler = hook.functionHandler;
    const invocation = hook.invocationContext;
    hook.functionHandler = (...args: Parameters<typeof handler>) => inInvocation(invocation, () => handler(...args));
  });
}
