const correlations = new WeakMap<object, string>();

/** Marks an error with the correlation id of the request it failed (the first mark stays), so whoever logs it can name the correlation. */
export function markCorrelation(error: unknown, correlationId: string): void {
  if (typeof error === "object" && error !== null && !correlations.has(error)) correlations.set(error, correlationId);
}

/** The correlation id an error, or one of its causes, was marked with. */
export function correlationIdOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let current: unknown = error; typeof current === "object" && current !== null && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    const id = correlations.get(current);
    if (id) return id;
  }
  return undefined;
}
