import { decodeContextJson, encodeContextJson } from "../shared/serialization/json";
import { decodeContextXml, encodeContextXml } from "../shared/serialization/xml";
import { sampleContext } from "./sample-context";
import { ratio, type BenchSuite } from "./suite";

const ROUNDS = 15;
const ROUND_MS = 100;
const WARM_UP_MS = 500;

/**
 * CPU time of each operation, measured in interleaved rounds so a busy machine slows the project's code
 * and its baseline alike (the ratios stay meaningful when other processes share the cores).
 */
function cpuSecondsPerOp(operations: Record<string, () => unknown>): Record<string, number> {
  const totals: Record<string, { cpu: number; ops: number }> = {};
  for (const [name, fn] of Object.entries(operations)) {
    // Warm up until the JIT has settled, so the rounds measure optimized code on both sides.
    for (const until = Date.now() + WARM_UP_MS; Date.now() < until; ) fn();
    totals[name] = { cpu: 0, ops: 0 };
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(operations)) {
      const start = process.cpuUsage();
      const until = Date.now() + ROUND_MS;
      let ops = 0;
      do {
        fn();
        ops++;
      } while (Date.now() < until);
      const used = process.cpuUsage(start);
      totals[name].cpu += (used.user + used.system) / 1e6;
      totals[name].ops += ops;
    }
  }
  return Object.fromEntries(Object.entries(totals).map(([name, { cpu, ops }]) => [name, cpu / ops]));
}

const received = (body: string): string => Buffer.from(body, "utf8").toString("utf8");

export const serializationSuite: BenchSuite = {
  name: "serialization",
  async run(log) {
    const context = sampleContext();
    // Decoders read what arrives from a broker, a socket or a file: a flat string made from bytes. (The
    // encoders' output is a rope, which every reader, JSON.parse included, must first flatten.)
    const json = received(encodeContextJson(context));
    const xml = received(encodeContextXml(context));
    const plain: unknown = JSON.parse(json);
    const jsonMb = Buffer.byteLength(json) / 1e6;
    const xmlMb = Buffer.byteLength(xml) / 1e6;
    log(`context: ${(jsonMb * 1e3).toFixed(1)} kB as JSON, ${(xmlMb * 1e3).toFixed(1)} kB as XML; measuring…`);

    const seconds = cpuSecondsPerOp({
      stringify: () => JSON.stringify(plain),
      parse: () => JSON.parse(json),
      jsonEncode: () => encodeContextJson(context),
      jsonDecode: () => decodeContextJson(json),
      xmlEncode: () => encodeContextXml(context),
      xmlDecode: () => decodeContextXml(xml),
    });
    const stringify = jsonMb / seconds.stringify;
    const parse = jsonMb / seconds.parse;
    const rows: Array<[string, number, string, number]> = [
      ["JSON encode", jsonMb / seconds.jsonEncode, "JSON.stringify", stringify],
      ["JSON decode", jsonMb / seconds.jsonDecode, "JSON.parse", parse],
      ["XML encode", xmlMb / seconds.xmlEncode, "JSON.stringify", stringify],
      ["XML decode", xmlMb / seconds.xmlDecode, "JSON.parse", parse],
    ];
    const lines = [
      `A ${(jsonMb * 1e3).toFixed(1)} kB (JSON) / ${(xmlMb * 1e3).toFixed(1)} kB (XML) async Update context with pre/post images and a ParentContext (bench/sample-context.ts).`,
      "Baseline: the built-in on the same data as plain objects (`JSON.parse` of the same JSON text, `JSON.stringify` of its result), same run,",
      `interleaved rounds, CPU time (${ROUNDS} rounds of ${ROUND_MS} ms per operation). MB/s of the encoded text. Goal: JSON ratios ≥ 0.5.`,
      "",
      "| operation | MB/s | baseline | baseline MB/s | ratio |",
      "|---|---|---|---|---|",
    ];
    for (const [name, value, baselineName, baseline] of rows) {
      const line = `| ${name} | ${value.toFixed(1)} | ${baselineName} | ${baseline.toFixed(1)} | ${ratio(value, baseline)} |`;
      log(line);
      lines.push(line);
    }
    return lines;
  },
};
