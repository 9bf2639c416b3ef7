import Module from "node:module";
import type { FunctionCallback, FunctionMetadata, HookCallback, ProgrammingModel, RpcLogCategory, RpcLogLevel } from "./core-types";

/** A function the app registered through `app.*` (and so through `registerFunction`). */
export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

export type HookName = "preInvocation" | "postInvocation" | "appStart" | "appTerminate" | "log";

/** Mirrors the worker's Disposable: `new Disposable(fn)` and `Disposable.from(...)`. */
export class Disposable {
  static from(...likes: { dispose: () => unknown }[]): Disposable {
    return new Disposable(() => likes.forEach((like) => like.dispose()));
  }
  #callOnDispose?: () => unknown;
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  dispose(): unknown {
    const call = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return call?.();
  }
}

export const LOCAL_WORKER_VERSION = "4.0.0-local";
export const LOCAL_HOST_VERSION = "4.1040.0-local";

/**
 * What `require('@azure/functions-core')` returns inside the local host: the registry of functions,
 * hooks and the programming model that `@azure/functions` installs on its first `app.*` call.
 */
export class CoreApi {
  readonly functions = new Map<string, RegisteredFunction>();
  readonly hooks: Record<HookName, HookCallback[]> = { preInvocation: [], postInvocation: [], appStart: [], appTerminate: [], log: [] };
  readonly appHookData: Record<string, unknown> = {};
  programmingModel?: ProgrammingModel;
  systemLog: (level: RpcLogLevel, category: RpcLogCategory, message: string) => void = () => undefined;

  /** The module object handed to the app; its shape is the `@azure/functions-core` contract. */
  readonly module = {
    version: LOCAL_WORKER_VERSION,
    hostVersion: LOCAL_HOST_VERSION,
    Disposable,
    setProgrammingModel: (model: ProgrammingModel) => {
      this.programmingModel = model;
    },
    getProgrammingModel: () => this.programmingModel,
    registerHook: (name: string, callback: HookCallback) => {
      if (!(name in this.hooks)) throw new RangeError(`Unrecognized hook "${name}"`);
      const list = this.hooks[name as HookName];
      list.push(callback);
      return new Disposable(() => list.splice(list.indexOf(callback), 1));
    },
    registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback) => {
      if (this.functions.has(metadata.name.toLowerCase())) {
        throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
      }
      const key = metadata.name.toLowerCase();
      this.functions.set(key, { metadata: { ...metadata, functionId: metadata.functionId ?? metadata.name }, callback });
      return new Disposable(() => this.functions.delete(key));
    },
    log: (level: RpcLogLevel, category: RpcLogCategory, message: string) => this.systemLog(level, category, message),
  };

  async runHooks(name: HookName, context: Record<string, unknown>): Promise<void> {
    for (const hook of [...this.hooks[name]]) await hook(context);
  }
}

const CORE_MODULE = "@azure/functions-core";
type LoadFunction = (request: string, parent: unknown, isMain: boolean) => unknown;

/**
 * Makes `require('@azure/functions-core')` return `core.module`, as the Functions worker does.
 * Must run before the app (and so `@azure/functions`) is loaded; returns the undo.
 */
export function interceptCoreModule(core: CoreApi): () => void {
  const moduleWithLoad = Module as unknown as { _load: LoadFunction };
  const originalLoad = moduleWithLoad._load;
  moduleWithLoad._load = function load(request, parent, isMain) {
    if (request === CORE_MODULE) return core.module;
    return originalLoad.call(this, request, parent, isMain);
  };
  return () => {
    moduleWithLoad._load = originalLoad;
  };
}
