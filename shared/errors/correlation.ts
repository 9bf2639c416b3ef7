import { causeChain } from "./cause-chain";

const correlations = new WeakMap<object, string>();

/** Marks an error with the correlation id of the request it failed (the first mark stays), so whoever logs it can name the correlation. */
export function markCorrelation(error: unknown, correlationId: string): void {
  if (typeof error === "object" && error !== null && !correlations.has(error)) correlations.set(error, correlationId);
}

/** The correlation id an error, or one of its causes, was marked with. */
export function correlationIdOf(error: unknown): string | undefined {
  for (const link of causeChain(error)) {
    const id = correlations.get(link);
    if (id) return id;
  }
  return undefined;
}
