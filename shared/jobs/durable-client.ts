import type { DurableClient } from "durable-functions";
import { durableJobOrchestrations, rpcBaseUrlOf, type JobOrchestrations } from "./orchestrations";

let latest: JobOrchestrations | undefined;

/**
 * Keeps the job orchestrations of the durable client an invocation received (its endpoints and key are
 * the same for every invocation of the app), so that the data service's job rule and dispatcher can reach
 * them. `bindingData` is the client binding's own data (`context.extraInputs.get(input)`), for its RPC URL.
 */
export function rememberDurableClient(client: DurableClient, bindingData: unknown): JobOrchestrations {
  latest = durableJobOrchestrations(client, rpcBaseUrlOf(bindingData));
  return latest;
}

/** Orchestrations through the last durable client an invocation received; undefined before any. */
export function currentJobOrchestrations(): JobOrchestrations | undefined {
  return latest;
}
