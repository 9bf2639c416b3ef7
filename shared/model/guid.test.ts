import { describe, expect, it } from "vitest";
import { normalizeGuid, tryNormalizeGuid } from "./guid";

describe("tryNormalizeGuid", () => {
  it("gives the same answers for a GUID it has checked before (the recent-canonical cache) as for a new one", () => {
    const id = "6d81597f-0f9f-e711-8122-000d3aa2331c";
    for (let round = 0; round < 2; round++) {
      expect(tryNormalizeGuid(id)).toBe(id);
      expect(tryNormalizeGuid(id.toUpperCase())).toBe(id);
      expect(tryNormalizeGuid(`{${id}}`)).toBe(id);
      expect(tryNormalizeGuid(`${id} `)).toBeUndefined();
      expect(tryNormalizeGuid(id.slice(1))).toBeUndefined();
    }
  });

  it("keeps checking correctly after more distinct GUIDs than it remembers", () => {
    const ids = Array.from({ length: 3000 }, (_, index) => `00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`);
    for (const id of [...ids, ...ids]) expect(tryNormalizeGuid(id)).toBe(id);
    expect(normalizeGuid(ids[0].toUpperCase())).toBe(ids[0]);
    expect(() => normalizeGuid("not-a-guid", "userId")).toThrow(/not a GUID/);
  });
});
