import { decodeContextJson, encodeContextJson } from "../shared/serialization/json";
import { decodeContextXml, encodeContextXml } from "../shared/serialization/xml";
import { sampleContext } from "./sample-context";
import { opsPerSecond, ratio, type BenchSuite } from "./suite";

export const serializationSuite: BenchSuite = {
  name: "serialization",
  async run(log) {
    const context = sampleContext();
    const json = encodeContextJson(context);
    const xml = encodeContextXml(context);
    const plain: unknown = JSON.parse(json);
    const jsonBytes = Buffer.byteLength(json);
    const xmlBytes = Buffer.byteLength(xml);
    log(`context: ${(jsonBytes / 1024).toFixed(1)} KB as JSON, ${(xmlBytes / 1024).toFixed(1)} KB as XML`);

    const rate = async (bytes: number, fn: () => unknown): Promise<number> => ((await opsPerSecond(fn, 1500)) * bytes) / 1e6;
    const builtinStringify = await rate(jsonBytes, () => JSON.stringify(plain));
    const builtinParse = await rate(jsonBytes, () => JSON.parse(json));
    const rows: Array<[string, number, number, string]> = [
      ["JSON encode", await rate(jsonBytes, () => encodeContextJson(context)), builtinStringify, "JSON.stringify"],
      ["JSON decode", await rate(jsonBytes, () => decodeContextJson(json)), builtinParse, "JSON.parse"],
      ["XML encode", await rate(xmlBytes, () => encodeContextXml(context)), builtinStringify, "JSON.stringify"],
      ["XML decode", await rate(xmlBytes, () => decodeContextXml(xml)), builtinParse, "JSON.parse"],
    ];
    const lines = [
      `Context of ${(jsonBytes / 1024).toFixed(1)} KB (JSON) / ${(xmlBytes / 1024).toFixed(1)} KB (XML): async Update with pre/post images and a ParentContext.`,
      "Baseline: the built-in on the same data as plain objects (`JSON.parse` of the same JSON), in the same run. Goal: JSON ratios ≥ 0.5.",
      "",
      "| operation | MB/s | baseline | baseline MB/s | ratio |",
      "|---|---|---|---|---|",
    ];
    for (const [name, value, baseline, baselineName] of rows) {
      const line = `| ${name} | ${value.toFixed(1)} | ${baselineName} | ${baseline.toFixed(1)} | ${ratio(value, baseline)} |`;
      log(line);
      lines.push(line);
    }
    return lines;
  },
};
