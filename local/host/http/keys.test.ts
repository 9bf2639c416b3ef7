import { describe, expect, it } from "vitest";
import { FunctionKeys, presentedKey } from "./keys";

describe("FunctionKeys", () => {
  const keys = new FunctionKeys({ FUNCTIONS_MASTER_KEY: "master", FUNCTIONS_DEFAULT_KEY: "host", FUNCTIONS_KEY_orders: "orders-only", FUNCTIONS_DURABLETASK_EXTENSION_KEY: "system" });

  it("grants each level to the keys Azure accepts for it", () => {
    expect(keys.allows("anonymous", undefined, "any")).toBe(true);
    expect(keys.allows("function", "host", "any")).toBe(true);
    expect(keys.allows("function", "orders-only", "orders")).toBe(true);
    expect(keys.allows("function", "orders-only", "other")).toBe(false);
    expect(keys.allows("function", "master", "any")).toBe(true);
    expect(keys.allows("function", undefined, "any")).toBe(false);
    expect(keys.allows("admin", "host", "any")).toBe(false);
    expect(keys.allows("admin", "master", "any")).toBe(true);
    expect(keys.allows("system", "system")).toBe(true);
    expect(keys.allows("system", "host")).toBe(false);
  });

  it("refuses everything but anonymous when no keys are configured", () => {
    const none = new FunctionKeys({});
    expect(none.allows("function", "", "any")).toBe(false);
    expect(none.allows("admin", "anything", "any")).toBe(false);
  });

  it("reads the key from the code query parameter or the x-functions-key header", () => {
    expect(presentedKey(new URL("http://h/x?code=a"), {})).toBe("a");
    expect(presentedKey(new URL("http://h/x"), { "x-functions-key": "b" })).toBe("b");
    expect(presentedKey(new URL("http://h/x"), {})).toBeUndefined();
  });
});
