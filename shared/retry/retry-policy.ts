/**
 * One retry policy type for the project, with Azure's option names (core-amqp `RetryOptions`).
 * Invalid values throw when the policy is compiled; nothing is quietly replaced with a default.
 */

export type BackoffMode = "exponential" | "fixed";

export interface RetryPolicy {
  /** Retries after the first attempt; 0 means a single attempt. */
  maxRetries: number;
  /** Delay before the first retry; the base that `exponential` doubles. */
  retryDelayInMs: number;
  /** No delay is longer than this. */
  maxRetryDelayInMs: number;
  mode: BackoffMode;
  /**
   * Share of each delay taken off at random (0 = none, 0.2 = up to 20 % shorter), so that jobs failing
   * together do not all retry at the same instant. Never lengthens a delay past the maximum.
   */
  jitter?: number;
}

export type CompiledRetryPolicy = Readonly<Required<RetryPolicy>>;

/**
 * Defaults for posts to service endpoints. Dataverse documents only "frequently at first, then at longer
 * and longer intervals" (reference §F.2, §J.1). We retry after 5 s, 10 s, 20 s, … doubling up to a cap of
 * one hour, at most 10 times (about 1 h 25 min in all before the job is Failed), with up to 20 % jitter.
 */
export const SERVICE_ENDPOINT_RETRY_POLICY: CompiledRetryPolicy = Object.freeze({
  maxRetries: 10,
  retryDelayInMs: 5_000,
  maxRetryDelayInMs: 60 * 60_000,
  mode: "exponential",
  jitter: 0.2,
});

const MAX_RETRIES_LIMIT = 1_000;
const MODES: readonly BackoffMode[] = ["exponential", "fixed"];

function requireNumber(name: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : value === null ? "null" : typeof value === "number" ? String(value) : typeof value;
}

/**
 * Checks a policy (missing members taken from `defaults`) and returns it frozen.
 * @throws TypeError when a member has the wrong type or `mode` is not a known backoff.
 * @throws RangeError when a number is out of range or the maximum delay is below the first delay.
 */
export function compileRetryPolicy(
  policy: Partial<RetryPolicy> = {},
  defaults: CompiledRetryPolicy = SERVICE_ENDPOINT_RETRY_POLICY,
): CompiledRetryPolicy {
  const merged = { ...defaults, ...stripUndefined(policy) };
  const maxRetries = requireNumber("maxRetries", merged.maxRetries);
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
    throw new RangeError(`maxRetries must be a whole number from 0 to ${MAX_RETRIES_LIMIT}, got ${maxRetries}`);
  }
  const retryDelayInMs = requireNumber("retryDelayInMs", merged.retryDelayInMs);
  if (!Number.isFinite(retryDelayInMs) || retryDelayInMs <= 0) {
    throw new RangeError(`retryDelayInMs must be a positive number of milliseconds, got ${retryDelayInMs}`);
  }
  const maxRetryDelayInMs = requireNumber("maxRetryDelayInMs", merged.maxRetryDelayInMs);
  if (!Number.isFinite(maxRetryDelayInMs) || maxRetryDelayInMs < retryDelayInMs) {
    throw new RangeError(`maxRetryDelayInMs must be at least retryDelayInMs (${retryDelayInMs}), got ${maxRetryDelayInMs}`);
  }
  const mode = merged.mode as unknown;
  if (typeof mode !== "string" || !MODES.includes(mode as BackoffMode)) {
    throw new TypeError(`mode must be one of ${MODES.map((name) => `"${name}"`).join(", ")}, got ${describe(mode)}`);
  }
  const jitter = requireNumber("jitter", merged.jitter);
  if (jitter < 0 || jitter > 1) throw new RangeError(`jitter must be from 0 to 1, got ${jitter}`);
  return Object.freeze({ maxRetries, retryDelayInMs, maxRetryDelayInMs, mode: mode as BackoffMode, jitter });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as Partial<T>;
}
