/* global require, process, module */
/* eslint-disable @typescript-eslint/no-require-imports */
// Functions append what they saw to a JSON-lines file (SAMPLE_OBSERVATIONS_FILE), so tests can check
// triggers that have no HTTP answer, across host restarts too.
const { appendFileSync, existsSync, readFileSync } = require("node:fs");

function observe(kind, data) {
  const file = process.env.SAMPLE_OBSERVATIONS_FILE;
  if (file) appendFileSync(file, `${JSON.stringify({ kind, ...data })}\n`);
}

function observations(kind) {
  const file = process.env.SAMPLE_OBSERVATIONS_FILE;
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.kind === kind);
}

module.exports = { observe, observations };
