import { describe, expect, it } from "vitest";
import { readSecondsSettingMs } from "./seconds-setting";

describe("readSecondsSettingMs", () => {
  const name = "SomeTimeoutSeconds";
  it("reads seconds as milliseconds, and nothing when the setting is unset or blank", () => {
    expect(readSecondsSettingMs({ [name]: " 1.5 " }, name)).toBe(1500);
    expect(readSecondsSettingMs({}, name)).toBeUndefined();
    expect(readSecondsSettingMs({ [name]: "  " }, name)).toBeUndefined();
  });

  it("refuses what is not a number of seconds, naming the setting; zero only where allowed", () => {
    for (const text of ["soon", "-1", "Infinity"]) {
      expect(() => readSecondsSettingMs({ [name]: text }, name)).toThrow(`Setting ${name}: '${text}' is not a positive number of seconds.`);
    }
    expect(() => readSecondsSettingMs({ [name]: "0" }, name)).toThrow(`Setting ${name}: '0' is not a positive number of seconds.`);
    expect(readSecondsSettingMs({ [name]: "0" }, name, { allowZero: true })).toBe(0);
    expect(() => readSecondsSettingMs({ [name]: "-2" }, name, { allowZero: true })).toThrow(`Setting ${name}: '-2' is not zero or a positive number of seconds.`);
  });
});
