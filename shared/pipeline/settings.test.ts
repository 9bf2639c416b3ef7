import { describe, expect, it } from "vitest";
import { DEFAULT_STEP_TIMEOUT_MS, readPipelineSettings } from "./settings";

describe("readPipelineSettings", () => {
  it("reads the step time limit in seconds, two minutes by default", () => {
    expect(readPipelineSettings({}).stepTimeoutMs).toBe(DEFAULT_STEP_TIMEOUT_MS);
    expect(readPipelineSettings({ PluginStepTimeoutSeconds: "0.5" }).stepTimeoutMs).toBe(500);
  });

  it("names the setting when its value is not a positive number", () => {
    expect(() => readPipelineSettings({ PluginStepTimeoutSeconds: "soon" })).toThrow("Setting PluginStepTimeoutSeconds: 'soon' is not a positive number of seconds.");
  });
});
