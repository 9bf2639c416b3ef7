import { PipelineError, isPipelineError, toPipelineError } from "../errors";

/**
 * An error thrown while talking to an external system (an SDK call or a request). Recognised failures keep
 * their classification (toPipelineError); caller mistakes (TypeError, RangeError) are not retried; anything
 * else — e.g. rhea's plain "Failed to connect" when a broker drops the connection — counts as the
 * external system being unavailable, which is retried.
 */
export function externalFailure(error: unknown, system: string): PipelineError {
  if (isPipelineError(error)) return error;
  const translated = toPipelineError(error);
  if (translated.code !== "Internal") return translated;
  if (error instanceof TypeError || error instanceof RangeError) return translated;
  if ((error as { name?: unknown })?.name === "AbortError") return translated;
  return new PipelineError("ExternalUnavailable", `${system}: ${translated.message}`, { cause: error });
}

/** Runs one call to an external system, turning its failure into a classified PipelineError. */
export async function callExternal<T>(system: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw externalFailure(error, system);
  }
}
