import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PluginCatalog, loadPluginCatalog } from "./catalog";
import { definePlugin, type PluginExecution } from "./types";

class Configured {
  constructor(
    readonly unsecure: string | null,
    readonly secure: string | null,
  ) {}
  execute(_execution: PluginExecution): void {}
}

describe("PluginCatalog", () => {
  it("keeps classes with execute and definePlugin factories as <module>.<Export>, and nothing else", () => {
    const factory = definePlugin((unsecure) => ({ execute: () => void unsecure }));
    const catalog = new PluginCatalog({ sample: { Configured, factory, helper: () => 1, VALUE: 3 } });
    expect(catalog.typeNames).toEqual(["sample.Configured", "sample.factory"]);
    expect(catalog.instantiate("sample.Configured", "open", "secret")).toMatchObject({ unsecure: "open", secure: "secret" });
    expect(() => catalog.instantiate("sample.helper", null, null)).toThrow(/not deployed/);
  });

  it("loads the compiled modules of a directory, and none from a missing one", () => {
    const directory = mkdtempSync(path.join(tmpdir(), "plugins-"));
    writeFileSync(path.join(directory, "greeter.js"), "exports.Greeter = class { execute() {} };");
    writeFileSync(path.join(directory, "greeter.js.map"), "{}");
    expect(loadPluginCatalog(directory).typeNames).toEqual(["greeter.Greeter"]);
    expect(loadPluginCatalog(path.join(directory, "missing")).typeNames).toEqual([]);
  });
});
