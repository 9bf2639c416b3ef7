import { createRequire } from "node:module";
import type { DurableClient } from "durable-functions";
import { durableClientData } from "../../local/durable/management-api";
import { durableJobOrchestrations, rpcBaseUrlOf, type JobOrchestrations } from "../../shared/jobs/orchestrations";
import { SAMPLE_KEYS, type HostUnderTest } from "../host/run-host";

// The library's client class itself (not exported from its index; the host builds it the same way in getClient).
const { DurableClient: DurableClientClass } = createRequire(__filename)("durable-functions/lib/src/durableClient/DurableClient") as {
  DurableClient: new (clientData: unknown) => DurableClient;
};

/** A durable client on a host's task hub, through its public webhooks with `systemKey`, as any caller outside the host. */
export function durableClientOn(host: HostUnderTest, systemKey: string = SAMPLE_KEYS.durable): DurableClient {
  return new DurableClientClass(durableClientData({ base: `${host.baseUrl}/runtime/webhooks/durabletask`, taskHub: host.hubName, systemKey }, ""));
}

/** The durable client binding's data as the sample app's functions receive it. */
export async function sampleClientBindingData(host: HostUnderTest): Promise<unknown> {
  return (await fetch(`${host.baseUrl}/api/durable-client-data`)).json();
}

/**
 * The asynchronous service's JobOrchestrations on a sample host, as the app's functions use them (the
 * client's RPC endpoint), with the sample's `jobStandIn` orchestration in place of a system job's.
 */
export async function standInJobOrchestrations(host: HostUnderTest): Promise<JobOrchestrations> {
  return durableJobOrchestrations(durableClientOn(host), rpcBaseUrlOf(await sampleClientBindingData(host)), "jobStandIn");
}

/** Starts a stand-in job orchestration that waits paused for the job's change event. */
export async function startPausedStandIn(host: HostUnderTest, input: { organization: string; jobId: string }): Promise<void> {
  const response = await fetch(`${host.baseUrl}/api/orchestrators/jobStandIn/${input.jobId}`, { method: "POST", body: JSON.stringify({ ...input, paused: true }) });
  if (response.status !== 202) throw new Error(`jobStandIn ${input.jobId}: ${response.status} ${await response.text()}`);
}

export { instanceStatus } from "../host/run-host";
