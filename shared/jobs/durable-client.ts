import type { DurableClient } from "durable-functions";
import { durableJobOrchestrations, rpcBaseUrlOf, type JobOrchestrations } from "./orchestrations";

let latest: { binding: string; orchestrations: JobOrchestrations } | undefined;

/**
 * Keeps the job orchestrations of the durable client binding an invocation received (its endpoints and
 * key are the same for every invocation of the app), so that the data service's job rule and dispatcher
 * can reach them. `bindingData` is the binding's own data (`context.extraInputs.get(input)`), for its
 * RPC URL; the client is built once per distinct binding, not per invocation.
 */
export function rememberDurableClient(bindingData: unknown, createClient: () => DurableClient): JobOrchestrations {
  const key = JSON.stringify(bindingData);
  if (latest?.binding !== key) latest = { binding: key, orchestrations: durableJobOrchestrations(createClient(), rpcBaseUrlOf(bindingData)) };
  return latest.orchestrations;
}

/** Orchestrations through the last durable client an invocation received; undefined before any. */
export function currentJobOrchestrations(): JobOrchestrations | undefined {
  return latest?.orchestrations;
}
