import { resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { loadBicepFiles, parseBicep, syntaxErrors } from "./bicep-syntax";

const infraDir = resolve(__dirname, "..");
const files = loadBicepFiles(infraDir);

describe("every .bicep file under infra/", () => {
  test("is found: main.bicep and the modules split by concern", () => {
    expect(files.map((file) => file.file)).toEqual([
      "main.bicep",
      "modules/app-authentication.bicep",
      "modules/durable-task-scheduler.bicep",
      "modules/eventhubs.bicep",
      "modules/function-app.bicep",
      "modules/identity.bicep",
      "modules/monitoring.bicep",
      "modules/role-assignments.bicep",
      "modules/servicebus.bicep",
      "modules/storage.bicep",
    ]);
  });

  test.each(files.map((file) => [file.file, file] as const))("%s parses without syntax errors", (_name, file) => {
    expect(syntaxErrors(file)).toEqual([]);
  });
});

describe("syntax errors are reported where they are", () => {
  const storage = files.find((file) => file.file === "modules/storage.bicep")!;

  test("an unclosed object", () => {
    const broken = parseBicep("storage.bicep", storage.text.replace("    publicAccess: 'None'\n  }\n", "    publicAccess: 'None'\n"));
    const errors = syntaxErrors(broken);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].file).toBe("storage.bicep");
  });

  test("a stray token names its line and column", () => {
    const lines = storage.text.split("\n");
    const line = lines.findIndex((text) => text.includes("allowSharedKeyAccess: false"));
    lines[line] = "    allowSharedKeyAccess: = false";
    expect(syntaxErrors(parseBicep("storage.bicep", lines.join("\n")))).toEqual([
      { file: "storage.bicep", line: line + 1, column: expect.any(Number), message: expect.stringMatching(/^(cannot parse|missing)/) },
    ]);
  });

  test("an unterminated string", () => {
    const broken = parseBicep("main.bicep", "param name string = 'unterminated\nparam other int = 1\n");
    expect(syntaxErrors(broken)).not.toEqual([]);
  });
});
