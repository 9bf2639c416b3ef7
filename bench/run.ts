import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { suites } from "./suites";

/** `npm run bench [-- NAME…]`: runs the suites (or the named ones) and writes bench/results/latest.md. */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const selected = only.length ? suites.filter((suite) => only.includes(suite.name)) : suites;
  const report = [`# Benchmark report`, "", `${new Date().toISOString()}, Node ${process.version}, ${process.platform}/${process.arch}`, ""];
  for (const suite of selected) {
    console.log(`▶ ${suite.name}`);
    const lines = await suite.run((line) => console.log(`  ${line}`));
    report.push(`## ${suite.name}`, "", ...lines, "");
  }
  const dir = join(__dirname, "..", "..", "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "latest.md");
  writeFileSync(file, report.join("\n"));
  console.log(`\n${report.join("\n")}\nReport written to ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
