import type { DurableClient } from "durable-functions";
import { durableJobOrchestrations, type JobOrchestrations } from "./orchestrations";

let latest: DurableClient | undefined;

/**
 * Keeps the durable client an invocation received (its management URL and key are the same for every
 * invocation of the app), so that the data service's job rule and dispatcher can reach orchestrations.
 */
export function rememberDurableClient(client: DurableClient): void {
  latest = client;
}

/** Orchestrations through the last durable client an invocation received; undefined before any. */
export function currentJobOrchestrations(): JobOrchestrations | undefined {
  return latest && durableJobOrchestrations(latest);
}
