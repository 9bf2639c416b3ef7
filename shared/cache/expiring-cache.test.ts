import { describe, expect, it } from "vitest";
import { ExpiringCache } from "./expiring-cache";

describe("ExpiringCache", () => {
  it("shares one load per key until the TTL passes or the key is invalidated", async () => {
    let now = 0;
    let loads = 0;
    const cache = new ExpiringCache<number>(1000, () => now);
    const load = async () => ++loads;
    const [a, b] = await Promise.all([cache.get("contoso", load), cache.get("contoso", load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    now = 999;
    expect(await cache.get("contoso", load)).toBe(1);
    now = 1000;
    expect(await cache.get("contoso", load)).toBe(2);
    cache.invalidate("contoso");
    expect(await cache.get("contoso", load)).toBe(3);
    expect(await cache.get("fabrikam", load)).toBe(4);
  });

  it("forgets a failed load so the next caller loads again", async () => {
    const cache = new ExpiringCache<string>(60_000);
    await expect(cache.get("k", () => Promise.reject(new Error("storage down")))).rejects.toThrow("storage down");
    expect(await cache.get("k", async () => "loaded")).toBe("loaded");
  });

  it("reloads a value found stale once, however many callers found it so", async () => {
    let loads = 0;
    const cache = new ExpiringCache<{ version: number }>(60_000);
    const load = async () => ({ version: ++loads });
    const stale = await cache.get("contoso", load);
    const [a, b] = await Promise.all([cache.refresh("contoso", stale, load), cache.refresh("contoso", stale, load)]);
    expect([a.version, b.version, loads]).toEqual([2, 2, 2]);
    // A caller still holding the first value does not drop the newer one.
    expect((await cache.refresh("contoso", stale, load)).version).toBe(2);
  });

  it("with a minimum age, reloads a value found stale only once it is that old", async () => {
    let now = 0;
    let loads = 0;
    const cache = new ExpiringCache<{ version: number }>(60_000, () => now);
    const load = async () => ({ version: ++loads });
    const first = await cache.get("contoso", load);
    now = 999;
    expect(await cache.refresh("contoso", first, load, 1000)).toBe(first);
    now = 1000;
    expect((await cache.refresh("contoso", first, load, 1000)).version).toBe(2);
  });
});
