import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppConfigError, readHostSettings } from "./app-config";

function appWith(hostJson: unknown): string {
  const app = mkdtempSync(join(tmpdir(), "host-json-"));
  writeFileSync(join(app, "host.json"), JSON.stringify(hostJson));
  return app;
}

describe("host.json overridden by AzureFunctionsJobHost__ app settings, as in Azure", () => {
  const app = appWith({ version: "2.0", extensions: { durableTask: { hubName: "FromHostJson" }, serviceBus: { maxConcurrentCalls: 4 } } });

  it("replaces a member, matching the path's segments without regard to case, and reads numbers and booleans from the text", () => {
    const settings = readHostSettings(app, {
      AzureFunctionsJobHost__extensions__durableTask__hubName: "FromSetting",
      azurefunctionsjobhost__Extensions__SERVICEBUS__maxconcurrentcalls: "9",
      AzureFunctionsJobHost__extensions__serviceBus__autoCompleteMessages: "False",
      AzureFunctionsJobHost__extensions__http__routePrefix: "v1",
    });
    expect(settings).toMatchObject({ hubName: "FromSetting", routePrefix: "v1", serviceBus: { maxConcurrentCalls: 9, autoCompleteMessages: false } });
    expect(readHostSettings(app, {})).toMatchObject({ hubName: "FromHostJson", routePrefix: "api", serviceBus: { maxConcurrentCalls: 4, autoCompleteMessages: true } });
  });

  it("applies to an app without host.json", () => {
    const bare = mkdtempSync(join(tmpdir(), "no-host-json-"));
    expect(readHostSettings(bare, { AzureFunctionsJobHost__extensions__durableTask__hubName: "Mine" }).hubName).toBe("Mine");
  });

  it("names the setting when its value has the wrong shape", () => {
    const read = () => readHostSettings(app, { AzureFunctionsJobHost__extensions__serviceBus__maxConcurrentCalls: "lots" });
    expect(read).toThrow(AppConfigError);
    expect(read).toThrow("AzureFunctionsJobHost__extensions__serviceBus__maxConcurrentCalls (extensions.serviceBus.maxConcurrentCalls) must be a positive integer");
  });
});
