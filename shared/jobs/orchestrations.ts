import type { DurableClient } from "durable-functions";
import { PipelineError } from "../errors";
import { JOB_CHANGED_EVENT, PAUSED_STATUS, SYSTEM_JOB_ORCHESTRATION, type JobSignal } from "./orchestration";
import type { JobReference } from "./system-jobs";
import type { StoredRecord } from "../dataservice/store/records";

/** What an orchestration's start carries: the reference, and when a Waiting job may try again. */
export interface JobOrchestrationInput extends JobReference {
  notBefore?: string;
  /** The job's row as the request committed it (the dispatcher's start; none from the sweep): its first attempt's row. */
  committed?: StoredRecord;
}

/** A job's orchestration: none running (never started, or finished), running, or running and waiting for a resume. */
export type JobOrchestrationState = "none" | "running" | "paused";

/** The asynchronous service's hold on the orchestrations of system jobs (instance id = job id). */
export interface JobOrchestrations {
  /** Starts the job's orchestration; false when one is already running. */
  start(input: JobOrchestrationInput): Promise<boolean>;
  /** Whether an orchestration for the job is running (or pending), and whether it waits paused. */
  state(jobId: string): Promise<JobOrchestrationState>;
  /** Stops the job's orchestration for good (a user's cancel); nothing when none runs. */
  terminate(jobId: string, reason: string): Promise<void>;
  /** Tells a waiting orchestration of a user's pause, resume or postpone; nothing when none runs. */
  signal(jobId: string, signal: JobSignal): Promise<void>;
}

const RUNNING = new Set(["Pending", "Running", "ContinuedAsNew", "Suspended"]);
/** Status query answers that carry the instance's status: 202 running, 200 finished (completed, failed or terminated). */
const STATUS_ANSWERS = new Set([200, 202]);
/** Event and terminate answers for an instance that is not running: 404 no such instance, 410 finished. */
const NOT_RUNNING = new Set([404, 410]);

/** Where one instance's status, events and terminate answer in the Durable management HTTP API. */
interface InstanceEndpoints {
  status: string;
  raiseEvent(eventName: string): string;
  terminate(reason: string): string;
}

/**
 * The endpoints the durable client itself calls: under the client's RPC base URL (the extension's
 * in-process endpoint in Azure, which App Service Authentication does not stand in front of; the local
 * host's too), else the public webhook URLs with the system key the client gives.
 */
function instanceEndpoints(client: DurableClient, instanceId: string, rpcBaseUrl: string | undefined): InstanceEndpoints {
  if (rpcBaseUrl) {
    const instance = new URL(`instances/${encodeURIComponent(instanceId)}`, rpcBaseUrl).href;
    return {
      status: instance,
      raiseEvent: (eventName) => `${instance}/raiseEvent/${encodeURIComponent(eventName)}`,
      terminate: (reason) => `${instance}/terminate?reason=${encodeURIComponent(reason)}`,
    };
  }
  const payload = client.createHttpManagementPayload(instanceId);
  return {
    status: payload.statusQueryGetUri,
    raiseEvent: (eventName) => payload.sendEventPostUri.replace("{eventName}", encodeURIComponent(eventName)),
    terminate: (reason) => payload.terminatePostUri.replace("{text}", encodeURIComponent(reason)),
  };
}

/**
 * One call to the management API. The client's own getStatus/raiseEvent/terminate throw a bare Error for
 * 404 and keep the status to themselves, so the calls whose status decides the outcome are made here.
 */
async function managementCall(url: string, method: "GET" | "POST", body?: unknown): Promise<Response> {
  return fetch(url, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function unexpected(operation: string, jobId: string, response: Response): Promise<PipelineError> {
  const details = await response.text().catch(() => "");
  return new PipelineError("ExternalUnavailable", `Durable ${operation} of instance '${jobId}' answered HTTP ${response.status}: ${details}`, {
    httpStatus: response.status,
  });
}

/** The RPC base URL in a durable client binding's data (the Durable extension's client data), if any. */
export function rpcBaseUrlOf(bindingData: unknown): string | undefined {
  const value = (bindingData as { rpcBaseUrl?: unknown } | null | undefined)?.rpcBaseUrl;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * JobOrchestrations through the Durable Functions client (Azure's, or the local host's, management API):
 * starts with the client, the rest at the client's endpoints (`rpcBaseUrl` from its binding data).
 */
export function durableJobOrchestrations(client: DurableClient, rpcBaseUrl?: string, orchestrationName = SYSTEM_JOB_ORCHESTRATION): JobOrchestrations {
  const urls = (jobId: string) => instanceEndpoints(client, jobId, rpcBaseUrl);

  async function runtimeStatus(jobId: string): Promise<{ runtimeStatus: string; customStatus: unknown } | undefined> {
    const url = new URL(urls(jobId).status);
    url.searchParams.set("showHistory", "false");
    url.searchParams.set("showInput", "false");
    const response = await managementCall(url.href, "GET");
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!STATUS_ANSWERS.has(response.status)) throw await unexpected("status query", jobId, response);
    const body = (await response.json()) as { runtimeStatus?: unknown; customStatus?: unknown };
    return { runtimeStatus: String(body.runtimeStatus), customStatus: body.customStatus };
  }

  async function whenRunning(operation: string, jobId: string, url: string, body?: unknown): Promise<void> {
    const response = await managementCall(url, "POST", body);
    if (response.status === 202 || NOT_RUNNING.has(response.status)) {
      await response.body?.cancel();
      return;
    }
    throw await unexpected(operation, jobId, response);
  }

  const orchestrations: JobOrchestrations = {
    async start(input) {
      try {
        await client.startNew(orchestrationName, { instanceId: input.jobId, input });
        return true;
      } catch (error) {
        // Azure and the local host answer a start over a running instance differently (409 or 500), and the
        // client keeps the status in its message: whether the instance runs now is what tells.
        if ((await orchestrations.state(input.jobId)) !== "none") return false;
        throw error;
      }
    },
    async state(jobId) {
      const status = await runtimeStatus(jobId);
      if (status === undefined || !RUNNING.has(status.runtimeStatus)) return "none";
      return status.customStatus === PAUSED_STATUS ? "paused" : "running";
    },
    async terminate(jobId, reason) {
      await whenRunning("terminate", jobId, urls(jobId).terminate(reason));
    },
    async signal(jobId, signal) {
      await whenRunning("raise event", jobId, urls(jobId).raiseEvent(JOB_CHANGED_EVENT), signal);
    },
  };
  return orchestrations;
}
