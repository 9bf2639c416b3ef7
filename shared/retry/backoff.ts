import type { BackoffMode, CompiledRetryPolicy } from "./retry-policy";

/** A number in [0, 1), like Math.random; injected so that tests and orchestrations stay deterministic. */
export type RandomSource = () => number;

/** The delay before retry number `retry` (0 for the first retry), before the cap and jitter. */
export type BackoffStrategy = (retry: number, policy: CompiledRetryPolicy) => number;

export type RetryDecision = { stop: false; delayInMs: number } | { stop: true };

/** Backoff strategies by the name used in `RetryPolicy.mode`. */
export const backoffStrategies: Readonly<Record<BackoffMode, BackoffStrategy>> = Object.freeze({
  fixed: (_retry, policy) => policy.retryDelayInMs,
  exponential: (retry, policy) => policy.retryDelayInMs * 2 ** retry,
});

/**
 * What to do after a failed attempt, when `retriesSoFar` retries have already been made: wait
 * `delayInMs` and try again, or stop. Pure: the same inputs and random value give the same answer.
 */
export function nextRetry(policy: CompiledRetryPolicy, retriesSoFar: number, random: RandomSource = Math.random): RetryDecision {
  if (!Number.isInteger(retriesSoFar) || retriesSoFar < 0) {
    throw new RangeError(`retriesSoFar must be a whole number of at least 0, got ${retriesSoFar}`);
  }
  if (retriesSoFar >= policy.maxRetries) return { stop: true };
  const strategy = backoffStrategies[policy.mode];
  const capped = Math.min(strategy(retriesSoFar, policy), policy.maxRetryDelayInMs);
  const delayInMs = Math.round(capped * (1 - policy.jitter * random()));
  return { stop: false, delayInMs };
}
