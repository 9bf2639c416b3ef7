import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleContext } from "../../bench/sample-context";
import { decodeContextJson, encodeContextJson } from "../../shared/serialization";
import { dataverseFixtures } from "../../test/fixtures/dataverse";

/** The built CLI, as users run it (`npm test` builds first). */
const CLI = join(__dirname, "..", "..", "dist", "cli", "context", "main.js");

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { input, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("dataverse-context CLI", () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does it)`);
    dir = mkdtempSync(join(tmpdir(), "context-cli-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const fixture of dataverseFixtures()) {
    it(`converts ${fixture.name} to XML from a file and back to the same JSON from stdin`, () => {
      const xml = cli(["convert", "--to", "xml", fixture.file]);
      expect(xml.status).toBe(0);
      expect(xml.stdout).toMatch(/^<RemoteExecutionContext xmlns="http:\/\/schemas\.microsoft\.com\/xrm\/2011\/Contracts"/);
      const json = cli(["convert", "--to", "json"], xml.stdout);
      expect(json.status).toBe(0);
      expect(json.stdout).toBe(`${encodeContextJson(decodeContextJson(fixture.text))}\n`);
    });
  }

  it("converts JSON with members it does not know, and says which ones XML leaves out", () => {
    const fixture = dataverseFixtures()[0];
    const edited = fixture.text.replace('"Depth"', '"FutureMember": 1, "Depth"');
    const { status, stdout, stderr } = cli(["convert", "--to", "xml"], edited);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^<RemoteExecutionContext /);
    expect(stderr).toBe("dataverse-context: note: members unknown to this tool are not written to XML: FutureMember\n");
    expect(cli(["convert", "--to", "json"], edited).stdout).toContain('"FutureMember":1,"Depth"');
  });

  it("inspects a context: message, stage, mode, ids, parameters, images, shared variables, ParentContext chain", () => {
    const fixture = dataverseFixtures().find((f) => f.name === "async-create-with-queryexpression-parent.json")!;
    const { status, stdout } = cli(["inspect", fixture.file]);
    expect(status).toBe(0);
    expect(stdout).toContain("Create of sharepointdocumentlocation 1e3839b3-08d4-ef11-aeb0-00155d000101, stage 40 PostOperation, Asynchronous, depth 1");
    expect(stdout).toContain("Correlation id:     01b84871-96b1-48e0-ada2-a31031966e3f");
    expect(stdout).toContain("Post-entity images (2):");
    expect(stdout).toContain("  IsAutoTransact: true");
    expect(stdout).toContain("  1. Create of sharepointdocument 1e3839b3-08d4-ef11-aeb0-00155d000101, stage 30 MainOperation");
  });

  it("reports sizes per format and whether the channel limits would truncate", () => {
    const file = join(dir, "large.json");
    writeFileSync(file, encodeContextJson(sampleContext(800)));
    const { status, stdout } = cli(["size", file]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^JSON\s+\d+ bytes\s+Service Bus \(192 KB\): truncated to \d+ bytes\s+webhook \(256 KB\): truncated to \d+ bytes$/m);
    expect(stdout).toMatch(/^Text XML\s+\d+ bytes/m);
  });

  it.each([
    ["broken JSON", ["inspect"], '{"Depth":1,"InputParameters":[{"key":"Target","value":{"__type":"Entity:x","Attributes":[{"key":"a","value":1},{"key":"b","value":1},{"key":"c","value":1},{"key":"d","value":tru}]}}]}', /InputParameters\[0\]\.value\.Attributes\[3\]\.value/],
    ["broken XML", ["convert", "--to", "json"], "<RemoteExecutionContext><Depth>one</Depth></RemoteExecutionContext>", /not an integer at Depth/],
    ["neither", ["size"], "hello", /neither JSON nor XML/],
    ["no --to", ["convert"], "{}", /--to json or --to xml/],
    ["unknown command", ["frobnicate"], "{}", /unknown command/],
  ])("fails cleanly on %s: one line naming the problem, exit code 2", (_name, args, input, message) => {
    const { status, stdout, stderr } = cli(args, input);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toMatch(message);
    expect(stderr.split("\n")[0]).toMatch(/^dataverse-context: /);
  });

  it("fails cleanly on a missing file or a directory, naming it", () => {
    const missing = cli(["inspect", join(dir, "nope.json")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`dataverse-context: cannot read ${join(dir, "nope.json")}: no such file\n`);
    const directory = cli(["inspect", dir]);
    expect(directory.status).toBe(2);
    expect(directory.stderr).toBe(`dataverse-context: cannot read ${dir}: it is a directory\n`);
  });
});
