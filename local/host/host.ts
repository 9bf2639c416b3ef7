import { resolve } from "node:path";
import { CoreApi, interceptCoreModule } from "./core-api";
import { AppConfigError, applyLocalSettings, readHostSettings, resolveEntryFiles, type HostSettings } from "./app-config";
import { FunctionCatalog, triggerOf } from "./functions";
import { createLogger, errorMessage, type HostLogger } from "./logger";
import { FunctionKeys } from "./http/keys";
import { httpRoutes, httpTriggerHandler } from "./http/http-trigger";
import { adminInvokeHandler } from "./http/admin-invoke";
import { startHttpServer, type RequestHandler, type RunningServer } from "./http/server";
import { startTimerTriggers } from "./timer/timer-trigger";

export interface HostOptions {
  /** The v4 app directory (its package.json `main` names the entry files). */
  appDir: string;
  /** HTTP port on 127.0.0.1 (7071 by default; 0 for a free one). */
  port?: number;
  /** Read local.settings.example.json when the app has no local.settings.json. */
  settingsFallbackToExample?: boolean;
  /** Durable timers and retry delays pass this many times faster (tests); absent: the DURABLE_TIME_SCALE setting, else 1. */
  timeScale?: number;
  logger?: HostLogger;
}

export interface RunningHost {
  readonly baseUrl: string;
  readonly functions: string[];
  readonly settings: HostSettings;
  stop(): Promise<void>;
}

/** A part of the host that starts after the app is loaded (durable engine, Service Bus triggers, …). */
export interface HostExtension {
  start(context: ExtensionContext): Promise<{ handlers?: RequestHandler[]; stop(): Promise<void>; started?(server: RunningServer): Promise<void> | void }>;
}

export interface ExtensionContext {
  catalog: FunctionCatalog;
  settings: HostSettings;
  keys: FunctionKeys;
  logger: HostLogger;
  /** The HTTP base URL once the server listens (extensions that publish URLs read it lazily). */
  baseUrl: () => string;
  /** HostOptions.timeScale: how much faster durable time passes; undefined leaves it to the DURABLE_TIME_SCALE setting. */
  timeScale?: number;
}

/**
 * Loads a v4 app the way the Functions host and Node worker do (supplying `@azure/functions-core`),
 * then serves its triggers: HTTP, timers, and whatever the extensions add.
 */
export async function startHost(options: HostOptions, extensions: HostExtension[] = []): Promise<RunningHost> {
  const appDir = resolve(options.appDir);
  applyLocalSettings(appDir, { fallbackToExample: options.settingsFallbackToExample });
  const settings = readHostSettings(appDir);
  const logger = options.logger ?? createLogger(settings.logLevel);
  const core = new CoreApi();
  core.systemLog = (level, _category, message) => logger.host(level, message);
  const restoreRequire = interceptCoreModule(core);
  const entryFiles = resolveEntryFiles(appDir);
  if (entryFiles.length === 0) logger.host("warning", `no entry files match the app's package.json "main" in ${appDir} (not built yet?)`);
  // The app is CommonJS loaded at run time from a path only known now, as the Node worker loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const file of entryFiles) require(file);
  const catalog = new FunctionCatalog(core, logger);
  const keys = new FunctionKeys();
  let server: RunningServer | undefined;
  const context: ExtensionContext = { catalog, settings, keys, logger, baseUrl: () => server?.baseUrl ?? "", timeScale: options.timeScale };
  const started: Awaited<ReturnType<HostExtension["start"]>>[] = [];
  const stopStarted = async () => {
    for (const part of started.reverse()) await part.stop().catch((error: unknown) => logger.host("error", errorMessage(error)));
  };
  try {
    for (const extension of extensions) started.push(await extension.start(context));
    for (const problem of catalog.unsupportedBindings()) logger.host("warning", `not supported locally: ${problem}`);
    warnAboutMissingKeys(catalog, keys, logger);
    await core.runHooks("appStart", { hookData: {}, appHookData: core.appHookData, functionAppDirectory: appDir });
    const handlers = [...started.flatMap((part) => part.handlers ?? []), adminInvokeHandler(catalog, keys, logger), httpTriggerHandler(catalog, httpRoutes(catalog, settings.routePrefix), keys)];
    const port = options.port ?? 7071;
    server = await startHttpServer(port, handlers, (error) => logger.host("error", `HTTP: ${errorMessage(error)}`)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw new AppConfigError(`127.0.0.1:${port} is already in use; choose another port with --port N`);
      throw error;
    });
    for (const part of started) await part.started?.(server);
  } catch (error) {
    await stopStarted();
    await server?.stop();
    restoreRequire();
    throw error;
  }
  const timers = startTimerTriggers(catalog);
  const runningServer = server;
  for (const fn of catalog.all()) logger.host("information", `function ${fn.metadata.name}: ${describeTrigger(fn, runningServer.baseUrl, settings.routePrefix)}`);
  return {
    baseUrl: runningServer.baseUrl,
    functions: catalog.all().map((fn) => fn.metadata.name),
    settings,
    async stop() {
      await timers.stop();
      await runningServer.stop();
      await stopStarted();
      await core.runHooks("appTerminate", { hookData: {}, appHookData: core.appHookData }).catch(() => undefined);
      restoreRequire();
    },
  };
}

function warnAboutMissingKeys(catalog: FunctionCatalog, keys: FunctionKeys, logger: HostLogger): void {
  for (const fn of catalog.byTriggerType("httpTrigger")) {
    const level = String(triggerOf(fn).binding.authLevel ?? "function").toLowerCase();
    const missing = (level === "admin" && !keys.master) || (level === "function" && !keys.master && !keys.defaultKey && !keys.functionKey(fn.metadata.name));
    if (missing) logger.host("warning", `${fn.metadata.name} (authLevel ${level}) answers 401 to every call: set FUNCTIONS_MASTER_KEY${level === "function" ? ` or FUNCTIONS_DEFAULT_KEY or FUNCTIONS_KEY_${fn.metadata.name}` : ""}`);
  }
}

function describeTrigger(fn: Parameters<typeof triggerOf>[0], baseUrl: string, routePrefix: string): string {
  const { binding, type } = triggerOf(fn);
  if (type === "httpTrigger") {
    const route = typeof binding.route === "string" && binding.route ? binding.route : fn.metadata.name;
    const methods = Array.isArray(binding.methods) ? binding.methods.join(",") : "ANY";
    return `[${methods}] ${baseUrl}/${[routePrefix, route].filter(Boolean).join("/")}`;
  }
  if (type === "timerTrigger") return `timerTrigger ${String(binding.schedule)}`;
  if (type === "serviceBusTrigger") return `serviceBusTrigger ${String(binding.queueName ?? `${String(binding.topicName)}/${String(binding.subscriptionName)}`)}`;
  return type;
}
