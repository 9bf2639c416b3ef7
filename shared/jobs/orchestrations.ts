import type { DurableClient } from "durable-functions";
import { PipelineError } from "../errors";
import { JOB_CHANGED_EVENT, SYSTEM_JOB_ORCHESTRATION, type JobSignal } from "./orchestration";
import type { JobReference } from "./system-jobs";

/** What an orchestration's start carries: the reference, and when a Waiting job may try again. */
export interface JobOrchestrationInput extends JobReference {
  notBefore?: string;
}

/** The asynchronous service's hold on the orchestrations of system jobs (instance id = job id). */
export interface JobOrchestrations {
  /** Starts the job's orchestration; false when one is already running. */
  start(input: JobOrchestrationInput): Promise<boolean>;
  /** Whether an orchestration for the job is running (or pending). */
  isRunning(jobId: string): Promise<boolean>;
  /** Stops the job's orchestration for good (a user's cancel); nothing when none runs. */
  terminate(jobId: string, reason: string): Promise<void>;
  /** Tells a waiting orchestration of a user's pause, resume or postpone; nothing when none runs. */
  signal(jobId: string, signal: JobSignal): Promise<void>;
}

const RUNNING = new Set(["Pending", "Running", "ContinuedAsNew", "Suspended"]);
/** Status query answers that carry the instance's status: 200 done, 202 running, 400 failed or terminated. */
const STATUS_ANSWERS = new Set([200, 202, 400]);
/** Event and terminate answers for an instance that is not running: 404 no such instance, 410 finished. */
const NOT_RUNNING = new Set([404, 410]);

/**
 * One call to the Durable management HTTP API at a URL the client gives (`createHttpManagementPayload`,
 * with its key). The client's own getStatus/raiseEvent/terminate throw a bare Error for 404 and keep the
 * status to themselves, so the calls whose status decides the outcome are made here and judged by it.
 */
async function managementCall(url: string, method: "GET" | "POST", body?: unknown): Promise<Response> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response;
}

async function unexpected(operation: string, jobId: string, response: Response): Promise<PipelineError> {
  const details = await response.text().catch(() => "");
  return new PipelineError("ExternalUnavailable", `Durable ${operation} of instance '${jobId}' answered HTTP ${response.status}: ${details}`, {
    httpStatus: response.status,
  });
}

/** JobOrchestrations through the Durable Functions client (Azure's, or the local host's, management API). */
export function durableJobOrchestrations(client: DurableClient, orchestrationName = SYSTEM_JOB_ORCHESTRATION): JobOrchestrations {
  const urls = (jobId: string) => client.createHttpManagementPayload(jobId);

  async function runtimeStatus(jobId: string): Promise<string | undefined> {
    const url = new URL(urls(jobId).statusQueryGetUri);
    url.searchParams.set("showHistory", "false");
    url.searchParams.set("showInput", "false");
    const response = await managementCall(url.href, "GET");
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!STATUS_ANSWERS.has(response.status)) throw await unexpected("status query", jobId, response);
    const body = (await response.json()) as { runtimeStatus?: unknown };
    return String(body.runtimeStatus);
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
        if (await orchestrations.isRunning(input.jobId)) return false;
        throw error;
      }
    },
    async isRunning(jobId) {
      const status = await runtimeStatus(jobId);
      return status !== undefined && RUNNING.has(status);
    },
    async terminate(jobId, reason) {
      await whenRunning("terminate", jobId, urls(jobId).terminatePostUri.replace("{text}", encodeURIComponent(reason)));
    },
    async signal(jobId, signal) {
      await whenRunning("raise event", jobId, urls(jobId).sendEventPostUri.replace("{eventName}", encodeURIComponent(JOB_CHANGED_EVENT)), signal);
    },
  };
  return orchestrations;
}
