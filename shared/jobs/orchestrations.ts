import type { DurableClient } from "durable-functions";
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
const isMissing = (error: unknown) => /HTTP 404|404 response/.test(String((error as Error)?.message ?? error));
const isNotRunning = (error: unknown) => /HTTP (404|410)|\b(404|410)\b/.test(String((error as Error)?.message ?? error));

/** JobOrchestrations through the Durable Functions client (Azure's, or the local host's, management API). */
export function durableJobOrchestrations(client: DurableClient): JobOrchestrations {
  const orchestrations: JobOrchestrations = {
    async start(input) {
      try {
        await client.startNew(SYSTEM_JOB_ORCHESTRATION, { instanceId: input.jobId, input });
        return true;
      } catch (error) {
        if (/409|already exists/.test(String((error as Error)?.message ?? error))) return false;
        throw error;
      }
    },
    async isRunning(jobId) {
      try {
        const status = await client.getStatus(jobId, { showHistory: false, showInput: false });
        return RUNNING.has(String(status.runtimeStatus));
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
    async terminate(jobId, reason) {
      await client.terminate(jobId, reason).catch((error: unknown) => {
        if (!isNotRunning(error)) throw error;
      });
    },
    async signal(jobId, signal) {
      await client.raiseEvent(jobId, JOB_CHANGED_EVENT, signal).catch((error: unknown) => {
        if (!isNotRunning(error)) throw error;
      });
    },
  };
  return orchestrations;
}
