import type { JobOrchestrations } from "./orchestrations";

/** The pipeline's port: told after a commit that wrote Ready system jobs. */
export interface JobDispatcher {
  jobsCommitted(organization: string, jobIds: string[]): Promise<void>;
}

/**
 * Starts each committed job's orchestration at once. A start that fails is only logged: the job stays
 * Ready in storage and the sweep starts it.
 */
export function createJobDispatcher(orchestrations: () => JobOrchestrations | undefined, log: (message: string) => void = console.warn): JobDispatcher {
  return {
    async jobsCommitted(organization, jobIds) {
      const control = orchestrations();
      if (!control) return;
      await Promise.all(
        jobIds.map((jobId) =>
          control.start({ organization, jobId }).catch((error: unknown) => log(`system job ${jobId}: not started now (${(error as Error)?.message ?? String(error)}); the sweep will start it.`)),
        ),
      );
    },
  };
}
