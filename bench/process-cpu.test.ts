import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { processCpuMs } from "./process-cpu";

describe("processCpuMs", () => {
  it("reads a busy child's CPU time, and nothing for a process that is not there", async () => {
    if (process.platform !== "linux") return;
    const child = spawn(process.execPath, ["-e", "const end = Date.now() + 400; while (Date.now() < end);"]);
    const before = processCpuMs(child.pid) ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const during = processCpuMs(child.pid);
    await new Promise((resolve) => child.once("exit", resolve));
    expect(during).toBeGreaterThan(before + 100);
    expect(processCpuMs(child.pid)).toBeUndefined();
    expect(processCpuMs(undefined)).toBeUndefined();
  });
});
