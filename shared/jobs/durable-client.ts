import type { DurableClient } from "durable-functions";
import { durableJobOrchestrations, type JobOrchestrations } from "./orchestrations";

let latest: { binding: string; orchestrations: JobOrchestrations } | undefined;

/**
 * Keeps a durable client for the binding an invocation received (its management URL and key are the
 * same for every invocation of the app), so that the data service's job rule and dispatcher can reach
 * orchestrations. The client is built once per distinct binding, not per invocation.
 */
export function rememberDurableClient(binding: unknown, createClient: () => DurableClient): JobOrchestrations {
  const key = JSON.stringify(binding);
  if (latest?.binding !== key) latest = { binding: key, orchestrations: durableJobOrchestrations(createClient()) };
  return latest.orchestrations;
}

/** Orchestrations through the last durable client an invocation received; undefined before any. */
export function currentJobOrchestrations(): JobOrchestrations | undefined {
  return latest?.orchestrations;
}
