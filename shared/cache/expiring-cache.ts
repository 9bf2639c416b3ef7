/**
 * Values loaded on demand and reused for `ttlMs`, per key. The promise itself is cached, so concurrent
 * callers share one load; a failed load is dropped at once so the next caller tries again. `invalidate`
 * drops a key when this instance changed what it was loaded from (other instances catch up after the TTL).
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; loadedAt: number; loaded?: V }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.loadedAt < this.ttlMs) return entry.value;
    const value = load();
    const fresh: { value: Promise<V>; loadedAt: number; loaded?: V } = { value, loadedAt: this.now() };
    this.entries.set(key, fresh);
    value.then(
      (loaded) => void (fresh.loaded = loaded),
      () => {
        if (this.entries.get(key) === fresh) this.entries.delete(key);
      },
    );
    return value;
  }

  /**
   * A value loaded after `stale` (one a caller found out of date, e.g. lacking a row another instance added):
   * drops the key only while it still holds `stale`, so concurrent callers that found the same value stale share one reload.
   * With `minAgeMs`, only a value loaded at least that long ago is dropped: callers that keep asking for what
   * no instance has reload at most once in that time.
   */
  refresh(key: string, stale: V, load: () => Promise<V>, minAgeMs = 0): Promise<V> {
    const entry = this.entries.get(key);
    if (entry?.loaded === stale && this.now() - entry.loadedAt >= minAgeMs) this.entries.delete(key);
    return this.get(key, load);
  }

  invalidate(key: string): void {
    this.entries.delete(key);
  }
}
