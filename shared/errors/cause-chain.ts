/** What the links of an error's cause chain may carry (SDK and Node errors alike). */
export interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  retryable?: unknown;
  cause?: unknown;
}

/** An error and each of its causes (objects only), first to last; a cause seen before ends it. */
export function* causeChain(error: unknown): Generator<ErrorLike> {
  const seen = new Set<unknown>();
  for (let current = error; typeof current === "object" && current !== null && !seen.has(current); current = (current as ErrorLike).cause) {
    seen.add(current);
    yield current as ErrorLike;
  }
}
