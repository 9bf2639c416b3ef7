import type { HostUnderTest } from "../host/run-host";
import { structuredLines } from "../support/system-jobs";

/** What the local host logged, as the system-job tests read it. */

/**
 * Records when each line of the host's output reached the test (the attempt lines a worker prints carry
 * no time of their own); returns the times of a job's attempt lines, in order.
 */
export function timeAttemptLines(host: HostUnderTest): (jobId: string) => number[] {
  const arrivals: { at: number; line: string }[] = [];
  const push = host.output.push.bind(host.output);
  host.output.push = (...lines: string[]) => {
    for (const line of lines) arrivals.push({ at: Date.now(), line });
    return push(...lines);
  };
  return (jobId) => arrivals.filter(({ line }) => line.includes('"event":"systemJobAttempt"') && line.includes(`"jobId":"${jobId}"`)).map(({ at }) => at);
}

/** The sample listener's structured lines (status `recorded` or `duplicate`) for a message with this OperationId. */
export function listenerLines(output: string[], status: "recorded" | "duplicate", operationId: string): Record<string, unknown>[] {
  return structuredLines(output, "listenerReceipt")
    .map((line) => line.record)
    .filter((record) => record.status === status && record.operationId === operationId);
}
