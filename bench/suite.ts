/** One benchmark suite: measures the project beside a baseline in the same run and reports ratios. */
export interface BenchSuite {
  name: string;
  /** Returns Markdown lines for the report (a heading is added by the runner). */
  run(log: (line: string) => void): Promise<string[]>;
}

/** Runs `fn` repeatedly for at least `minMs` (after a warm-up) and returns operations per second. */
export async function opsPerSecond(fn: () => unknown | Promise<unknown>, minMs = 1000): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  let count = 0;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    await fn();
    count++;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (count * 1000) / elapsedMs;
}

export function ratio(value: number, baseline: number): string {
  return baseline === 0 ? "n/a" : (value / baseline).toFixed(2);
}
