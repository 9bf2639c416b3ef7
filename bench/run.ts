import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, UsageError } from "../local/util/cli";
import { suites } from "./suites";

const USAGE = `usage: npm run bench [-- NAME…]   (suites: ${suites.map((suite) => suite.name).join(", ")})`;
const SUITE_FLAG = "--suite";

/** Runs one suite in this process and writes its report lines (JSON) to `reportFile`. */
async function runSuite(name: string, reportFile: string): Promise<void> {
  const suite = suites.find((candidate) => candidate.name === name);
  if (!suite) throw new UsageError(`unknown suite "${name}"`);
  const lines = await suite.run((line) => console.log(`  ${line}`));
  writeFileSync(reportFile, JSON.stringify(lines));
}

/**
 * Each suite runs in a process of its own: the app's services are built once per process (as in a
 * Functions worker), so a suite never measures what an earlier one left behind.
 */
async function runInChild(name: string, dir: string): Promise<string[]> {
  const reportFile = join(dir, `${name}.json`);
  const child = spawn(process.execPath, [...process.execArgv, __filename, SUITE_FLAG, name, reportFile], { stdio: "inherit" });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`the ${name} suite failed (exit code ${code})`);
  return JSON.parse(readFileSync(reportFile, "utf8")) as string[];
}

/** `npm run bench [-- NAME…]`: runs the suites (or the named ones) and writes bench/results/latest.md. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === SUITE_FLAG) return runSuite(args[1], args[2]);
  const unknown = args.filter((name) => !suites.some((suite) => suite.name === name));
  if (unknown.length > 0) throw new UsageError(`unknown suite${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
  const selected = args.length ? suites.filter((suite) => args.includes(suite.name)) : suites;
  const report = [`# Benchmark report`, "", `${new Date().toISOString()}, Node ${process.version}, ${process.platform}/${process.arch}`, ""];
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  try {
    for (const suite of selected) {
      console.log(`▶ ${suite.name}`);
      report.push(`## ${suite.name}`, "", ...(await runInChild(suite.name, dir)), "");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const results = join(__dirname, "..", "..", "bench", "results");
  mkdirSync(results, { recursive: true });
  const file = join(results, "latest.md");
  writeFileSync(file, report.join("\n"));
  console.log(`\n${report.join("\n")}\nReport written to ${file}`);
}

runCli(main, USAGE);
