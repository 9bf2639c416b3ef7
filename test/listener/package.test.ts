import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataverseFixtures } from "../fixtures/dataverse";

// A listener author's project: the packed library installed from its tarball (as README "Writing a
// listener" says), one TypeScript file type-checked strictly against the shipped declarations, and run.

const ROOT = resolve(__dirname, "../..");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

/** The one-file consumer: what README "Writing a listener" shows, outside a Functions app. */
const CONSUMER = `
import { readFileSync } from "node:fs";
import { ClaimKeys, isPipelineError, parseDataverseMessage, type DataverseMessage, type RemoteExecutionContext } from "event-pipeline/listener";

for (const file of process.argv.slice(2)) {
  const body = readFileSync(file);
  const sent = JSON.parse(body.toString("utf8")) as { OrganizationName: string };
  const message: DataverseMessage = parseDataverseMessage(body, {
    contentType: "application/json; charset=utf-8",
    applicationProperties: { [ClaimKeys.organization]: \`https://\${sent.OrganizationName}.crm.dynamics.com/\` },
  });
  const context: RemoteExecutionContext = message.context;
  // @ts-expect-error the declarations are real types, not any: a message name is not a number
  const wrong: number = context.messageName;
  void wrong;
  console.log(JSON.stringify({ operationId: context.operationId, messageName: context.messageName, primaryEntityName: context.primaryEntityName, format: message.format, truncated: message.truncated }));
}

try {
  parseDataverseMessage("{}", { contentType: "text/plain" });
} catch (error) {
  console.log(JSON.stringify({ refused: isPipelineError(error) ? error.code : String(error) }));
}
`;

/** Prints, at exit, which modules the consumer loaded. */
const LOADED_REPORTER = `process.on("exit", () => process.stderr.write("LOADED " + JSON.stringify(Object.keys(require.cache)) + "\\n"));`;

/** The packages the listener entry may load at run time: fast-xml-parser (Text XML) and what it needs. */
function runtimeClosure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const manifest = JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  for (const dependency of Object.keys(manifest.dependencies ?? {})) runtimeClosure(dependency, seen);
  return seen;
}

function link(modules: string, name: string): void {
  const target = join(modules, name);
  mkdirSync(join(target, ".."), { recursive: true });
  symlinkSync(join(ROOT, "node_modules", name), target, "dir");
}

describe("the listener library as an outside TypeScript project installs it", () => {
  let dir: string;
  let tarball: string;

  beforeAll(() => {
    if (!existsSync(join(ROOT, "dist/shared/listener/index.js"))) throw new Error("dist/ is missing: run `npm run build` first");
    dir = mkdtempSync(join(tmpdir(), "listener-consumer-"));
    // --ignore-scripts: the prepack build already ran as `npm run build` before the tests.
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as Array<{ filename: string }>;
    tarball = join(dir, packed.filename);
    const modules = join(dir, "node_modules");
    mkdirSync(modules);
    execFileSync("tar", ["-xzf", tarball, "-C", modules]);
    renameSync(join(modules, "package"), join(modules, "event-pipeline"));
    // Only the listener entry's own run-time packages, and @types/node for the consumer's fs import: the entry
    // must not need the Azure SDKs or the local runtime.
    for (const name of runtimeClosure("fast-xml-parser")) link(modules, name);
    link(modules, "@types/node");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "listener-consumer", private: true, type: "commonjs" }));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "node16", moduleResolution: "node16", strict: true, skipLibCheck: false, types: ["node"], outDir: "out" }, files: ["index.ts"] }),
    );
    writeFileSync(join(dir, "index.ts"), CONSUMER);
    writeFileSync(join(dir, "loaded.cjs"), LOADED_REPORTER);
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("ships the built entry and its declarations in the tarball", () => {
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
    expect(listing).toEqual(expect.arrayContaining(["package/dist/shared/listener/index.js", "package/dist/shared/listener/index.d.ts", "package/dist/shared/listener/parse.d.ts"]));
    const manifest = JSON.parse(readFileSync(join(dir, "node_modules/event-pipeline/package.json"), "utf8")) as { exports: Record<string, unknown> };
    expect(manifest.exports["./listener"]).toEqual({ types: "./dist/shared/listener/index.d.ts", default: "./dist/shared/listener/index.js" });
  });

  it("type-checks strictly, runs on the real Dataverse payloads, and loads no Azure SDK or local-runtime code", () => {
    const typecheck = spawnSync(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
    expect(typecheck.stdout + typecheck.stderr).toBe("");
    expect(typecheck.status).toBe(0);
    const fixtures = dataverseFixtures();
    const run = spawnSync(process.execPath, ["--require", "./loaded.cjs", "out/index.js", ...fixtures.map((fixture) => fixture.file)], { cwd: dir, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.slice(0, -1)).toEqual(
      fixtures.map(({ text }) => {
        const sent = JSON.parse(text) as { OperationId: string; MessageName: string; PrimaryEntityName: string };
        return { operationId: sent.OperationId, messageName: sent.MessageName, primaryEntityName: sent.PrimaryEntityName, format: 2, truncated: false };
      }),
    );
    expect(lines.at(-1)).toEqual({ refused: "InvalidFormat" });

    const loaded = JSON.parse(/^LOADED (.*)$/m.exec(run.stderr)?.[1] ?? "[]") as string[];
    const library = loaded.filter((file) => file.includes("/node_modules/event-pipeline/")).map((file) => file.split("/node_modules/event-pipeline/")[1]);
    expect(library).toContain("dist/shared/listener/index.js");
    expect(library.filter((file) => !file.startsWith("dist/shared/"))).toEqual([]);
    expect(library.filter((file) => /^dist\/shared\/(config|delivery\/(poster|channels)|listener\/(listener|receipts|sample-listener)|telemetry)/.test(file))).toEqual([]);
    const packages = new Set(loaded.filter((file) => file.startsWith(join(ROOT, "node_modules"))).map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)![1]));
    expect([...packages].filter((name) => !runtimeClosure("fast-xml-parser").has(name))).toEqual([]);
  }, 60_000);
});
