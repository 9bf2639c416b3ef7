import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { PipelineError } from "../errors";
import { isPluginClass, isPluginFactory, type IPlugin, type PluginClass, type PluginFactory } from "./types";

/** The plug-ins the app knows, by type name `<module>.<Export>` (the `plugintype` row's name). */
export class PluginCatalog {
  private readonly types = new Map<string, PluginClass | PluginFactory>();

  /** `modules`: module name → the module's exports; every export that is a plug-in is kept. */
  constructor(modules: Record<string, Record<string, unknown>> = {}) {
    for (const [moduleName, exports] of Object.entries(modules)) {
      for (const [exportName, value] of Object.entries(exports)) {
        if (isPluginClass(value) || isPluginFactory(value)) this.types.set(`${moduleName}.${exportName}`, value);
      }
    }
  }

  get typeNames(): string[] {
    return [...this.types.keys()].sort();
  }

  has(typeName: string): boolean {
    return this.types.has(typeName);
  }

  /** A new instance configured for one step. */
  instantiate(typeName: string, unsecureConfig: string | null, secureConfig: string | null): IPlugin {
    const type = this.types.get(typeName);
    if (!type) throw new PipelineError("NotFound", `The plug-in type ${typeName} is not deployed with this app.`);
    return isPluginFactory(type) ? type(unsecureConfig, secureConfig) : new type(unsecureConfig, secureConfig);
  }
}

const MODULE_FILE = /^(?!.*\.d\.js$)(.+)\.js$/;

/**
 * Loads every compiled module (`.js`) in `directory`; a missing directory is an empty catalog. (Under
 * the test runner, which compiles TypeScript on import, tests pass their plug-in modules directly.)
 */
export function loadPluginCatalog(directory: string): PluginCatalog {
  if (!existsSync(directory)) return new PluginCatalog();
  const modules: Record<string, Record<string, unknown>> = {};
  for (const file of readdirSync(directory).sort()) {
    const match = MODULE_FILE.exec(file);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (match) modules[match[1]] = require(path.join(directory, file)) as Record<string, unknown>;
  }
  return new PluginCatalog(modules);
}

/** `plugins/` beside `shared/` (in dist/ after the build). */
export const DEFAULT_PLUGINS_DIRECTORY = path.resolve(__dirname, "../../plugins");
