import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import Parser from "tree-sitter";
import Bicep from "tree-sitter-bicep";

export type SyntaxNode = Parser.SyntaxNode;

/** A place in a Bicep file, 1-based as editors show it. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface BicepSyntaxError extends SourceLocation {
  message: string;
}

export interface ParsedBicepFile {
  /** Path relative to the folder the files were loaded from, with forward slashes. */
  file: string;
  text: string;
  root: SyntaxNode;
}

let parser: Parser | undefined;

function bicepParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Bicep as unknown as Parser.Language);
  }
  return parser;
}

export function parseBicep(file: string, text: string): ParsedBicepFile {
  // The node binding reads long inputs in chunks; a buffer as large as the text avoids its 32 KiB default.
  const tree = bicepParser().parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2) });
  return { file, text, root: tree.rootNode };
}

export function locationOf(file: string, node: SyntaxNode): SourceLocation {
  return { file, line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}

/** `infra/<file>:<line>`: how a finding names the place it is about. */
export const where = (location: SourceLocation): string => `infra/${location.file}:${location.line}`;

/** ERROR and MISSING nodes: what the grammar could not read, outermost first. */
export function syntaxErrors(parsed: ParsedBicepFile): BicepSyntaxError[] {
  const errors: BicepSyntaxError[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.isMissing) {
      errors.push({ ...locationOf(parsed.file, node), message: `missing ${node.type}` });
      return;
    }
    if (node.type === "ERROR") {
      const snippet = node.text.split("\n")[0].slice(0, 40);
      errors.push({ ...locationOf(parsed.file, node), message: `cannot parse '${snippet}'` });
      return;
    }
    if (node.hasError) for (const child of node.children) visit(child);
  };
  visit(parsed.root);
  return errors;
}

function bicepFilesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".bicep"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Every `.bicep` file under `folder`, parsed. */
export function loadBicepFiles(folder: string): ParsedBicepFile[] {
  return bicepFilesUnder(folder).map((path) =>
    parseBicep(relative(folder, path).split("\\").join("/"), readFileSync(path, "utf8")),
  );
}
