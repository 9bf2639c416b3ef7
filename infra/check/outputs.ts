import type { BicepModule } from "./bicep-model";
import type { Finding } from "./check-infra";
import { documentedEnvironmentValues } from "./parameters";

/**
 * The values the README reads with `azd env get-value NAME` that nobody sets: not with `azd env set`, not
 * in its azd environment table. azd fills those from main.bicep's outputs.
 */
export function outputsTheReadmeReads(readmeText: string, main: BicepModule): string[] {
  const set = new Set([...readmeText.matchAll(/azd env set\s+(\w+)/g)].map((match) => match[1]));
  const documented = new Set(documentedEnvironmentValues(readmeText, new Set(main.params.keys())).map((row) => row.name));
  const read = [...readmeText.matchAll(/azd env get-value\s+(\w+)/g)].map((match) => match[1]);
  return [...new Set(read)].filter((name) => !set.has(name) && !documented.has(name));
}

/** main.bicep has an output for every value the README reads from the azd environment after `azd up`. */
export function outputFindings(main: BicepModule, readmeText: string): Finding[] {
  return outputsTheReadmeReads(readmeText, main)
    .filter((name) => !main.outputs.has(name))
    .map((name) => ({
      rule: "outputs" as const,
      subject: name,
      message: `the README reads \`azd env get-value ${name}\`, but infra/main.bicep has no output ${name}, so azd never sets it`,
    }));
}
