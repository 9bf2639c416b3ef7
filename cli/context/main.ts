#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { isPipelineError, toPipelineError } from "../../shared/errors";
import {
  MessageFormat,
  SIZE_LIMITS,
  decodeContext,
  encodeContextJson,
  encodeContextXml,
  estimateSize,
  type SizeLimitedChannel,
} from "../../shared/serialization";
import { summarize } from "./summary";

const USAGE = `usage: dataverse-context <command> [FILE]   (reads stdin without FILE)
  convert --to json|xml [FILE]   write the RemoteExecutionContext (JSON or XML, detected) in the given format
  inspect [FILE]                 readable summary: message, entity, stage, mode, depth, ids, parameters, images, ParentContext chain
  size [FILE]                    encoded sizes per format and whether the Service Bus / webhook limits would truncate it`;

class UsageError extends Error {}

/** The input could not be read (a missing file, a directory…): exit code 2, naming the file. */
class InputError extends Error {}

const FORMATS: Record<string, MessageFormat> = { json: MessageFormat.Json, xml: MessageFormat.TextXml };
const FORMAT_NAMES: Array<[string, MessageFormat]> = [
  ["JSON", MessageFormat.Json],
  ["Text XML", MessageFormat.TextXml],
];
const CHANNELS: Array<[string, SizeLimitedChannel]> = [
  ["Service Bus", "serviceBus"],
  ["webhook", "webhook"],
];

function readInput(file: string | undefined): string {
  try {
    return readFileSync(file ?? 0, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "EISDIR" ? "it is a directory" : code === "ENOENT" ? "no such file" : (code ?? (error as Error).message);
    throw new InputError(`cannot read ${file ?? "standard input"}: ${reason}`);
  }
}

function parseArgs(args: string[]): { command: string; to?: string; file?: string } {
  const [command, ...rest] = args;
  if (!command || command === "--help" || command === "-h") throw new UsageError("a command is required");
  let to: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--to") to = rest[++i];
    else if (rest[i].startsWith("--to=")) to = rest[i].slice(5);
    else if (rest[i].startsWith("-") && rest[i] !== "-") throw new UsageError(`unknown option ${rest[i]}`);
    else files.push(rest[i]);
  }
  if (files.length > 1) throw new UsageError("at most one FILE");
  const file = files[0] === "-" ? undefined : files[0];
  return { command, to, file };
}

function sizeReport(text: string): string {
  const context = decodeContext(text);
  const lines: string[] = [];
  for (const [formatName, format] of FORMAT_NAMES) {
    const { bytes, truncatedBytes } = estimateSize(context, format);
    const verdicts = CHANNELS.map(([channelName, channel]) => {
      const limit = SIZE_LIMITS[channel];
      const verdict = bytes <= limit ? "fits" : truncatedBytes <= limit ? `truncated to ${truncatedBytes} bytes` : `too large even truncated (${truncatedBytes} bytes)`;
      return `${channelName} (${limit / 1024} KB): ${verdict}`;
    });
    lines.push(`${formatName.padEnd(9)}${String(bytes).padStart(9)} bytes   ${verdicts.join("   ")}`);
  }
  lines.push("Truncation empties ParentContext, InputParameters, PreEntityImages and PostEntityImages (MessageMaxSizeExceeded).");
  return lines.join("\n");
}

export function run(args: string[]): string {
  const { command, to, file } = parseArgs(args);
  switch (command) {
    case "convert": {
      const format = to === undefined ? undefined : FORMATS[to.toLowerCase()];
      if (format === undefined) throw new UsageError("convert needs --to json or --to xml");
      const context = decodeContext(readInput(file));
      if (format === MessageFormat.Json) return encodeContextJson(context);
      const dropped: string[] = [];
      const xml = encodeContextXml(context, { onDroppedMember: (path) => dropped.push(path) });
      if (dropped.length) process.stderr.write(`dataverse-context: note: members unknown to this tool are not written to XML: ${dropped.join(", ")}\n`);
      return xml;
    }
    case "inspect":
      return summarize(decodeContext(readInput(file)));
    case "size":
      return sizeReport(readInput(file));
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

function main(): void {
  try {
    process.stdout.write(`${run(process.argv.slice(2))}\n`);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`dataverse-context: ${error.message}\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof InputError) {
      process.stderr.write(`dataverse-context: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    const failure = toPipelineError(error);
    const where = failure.path && failure.path !== "$" && !failure.message.includes(failure.path) ? ` (at ${failure.path})` : "";
    process.stderr.write(`dataverse-context: ${failure.message.replace(/\s+/g, " ")}${where}\n`);
    process.exitCode = isPipelineError(error) ? 2 : 1;
  }
}

if (require.main === module) main();
