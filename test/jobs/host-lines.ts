import type { HostUnderTest } from "../host/run-host";

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

/**
 * The sample listener's log entries (`recorded …` or `duplicate …`, each with the object logged after it,
 * over several lines) for a message with this OperationId.
 */
export function listenerLines(output: string[], status: "recorded" | "duplicate", operationId: string): string[] {
  const entries: string[] = [];
  output.forEach((line, index) => {
    if (!line.includes(`: ${status} `)) return;
    const end = output.findIndex((candidate, after) => after > index && candidate === "}");
    entries.push(output.slice(index, end === -1 ? index + 1 : end + 1).join("\n"));
  });
  return entries.filter((entry) => entry.includes(`operationId: '${operationId}'`));
}
