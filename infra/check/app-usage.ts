import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import type { AzureResourcesDefinition } from "../../shared/config/azure-resources";

/** Where something is used: `functions/listener.ts:12` or `host.json`. */
export type UsageSource = string;

export type Capability =
  | "serviceBusSend"
  | "serviceBusReceive"
  | "eventHubsSend"
  | "eventHubsReceive"
  | "storageQueue"
  | "storageTable"
  | "durableAzureStorage"
  | "durableTaskScheduler";

/** What the app reads and talks to, gathered from its code, host.json and the shared names. */
export interface AppUsage {
  /** Plain settings read (`process.env.X`, `env["X"]` of an environment record, `%X%` binding expressions, appSettings of the config). */
  settings: Map<string, UsageSource[]>;
  /** Connection settings: `connection:` of registrations, and the config's connections. */
  connections: Map<string, UsageSource[]>;
  /** Service Bus queue or topic names. */
  serviceBusEntities: Map<string, UsageSource[]>;
  /** `topic/subscription` */
  subscriptions: Map<string, UsageSource[]>;
  eventHubs: Map<string, UsageSource[]>;
  tables: Map<string, UsageSource[]>;
  capabilities: Map<Capability, UsageSource[]>;
}

function add<K>(map: Map<K, UsageSource[]>, key: K, source: UsageSource): void {
  const sources = map.get(key) ?? [];
  if (!sources.includes(source)) sources.push(source);
  map.set(key, sources);
}

export function emptyUsage(): AppUsage {
  return {
    settings: new Map(),
    connections: new Map(),
    serviceBusEntities: new Map(),
    subscriptions: new Map(),
    eventHubs: new Map(),
    tables: new Map(),
    capabilities: new Map(),
  };
}

/** The shared names declare use: the app posts to every entity listed, and the listener reads them. */
export function addConfigUsage(usage: AppUsage, config: AzureResourcesDefinition, source: UsageSource): void {
  for (const name of Object.values(config.connections)) add(usage.connections, name, source);
  for (const name of Object.values(config.appSettings)) add(usage.settings, name, source);
  const { queues, topics } = config.serviceBus;
  for (const queue of Object.values(queues)) add(usage.serviceBusEntities, queue.name, source);
  for (const topic of Object.values(topics)) {
    add(usage.serviceBusEntities, topic.name, source);
    for (const subscription of Object.values(topic.subscriptions)) add(usage.subscriptions, `${topic.name}/${subscription.name}`, source);
  }
  if (Object.keys(queues).length + Object.keys(topics).length > 0) {
    add(usage.capabilities, "serviceBusSend", source);
    add(usage.capabilities, "serviceBusReceive", source);
  }
  for (const hub of Object.values(config.eventHubs.hubs)) {
    add(usage.eventHubs, hub.name, source);
    add(usage.capabilities, "eventHubsSend", source);
  }
  for (const table of Object.values(config.tables)) {
    add(usage.tables, table, source);
    add(usage.capabilities, "storageTable", source);
  }
}

function bindingExpressions(text: string): string[] {
  return [...text.matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g)].map((match) => match[1]);
}

/** host.json: the Durable Functions backend and its connection, and `%Setting%` expressions. */
export function addHostJsonUsage(usage: AppUsage, hostJsonText: string, source: UsageSource): void {
  const hostJson = JSON.parse(hostJsonText) as {
    extensions?: { durableTask?: { storageProvider?: Record<string, unknown> } };
  };
  const durableTask = hostJson.extensions?.durableTask;
  if (durableTask) {
    const provider = durableTask.storageProvider ?? {};
    const type = String(provider.type ?? "AzureStorage");
    if (type.toLowerCase() === "azuremanaged") {
      add(usage.capabilities, "durableTaskScheduler", source);
      add(usage.settings, String(provider.connectionStringName ?? "DURABLE_TASK_SCHEDULER_CONNECTION_STRING"), source);
    } else {
      add(usage.capabilities, "durableAzureStorage", source);
      add(usage.capabilities, "storageQueue", source);
      add(usage.capabilities, "storageTable", source);
      const connection = provider.connectionName ?? provider.connectionStringName;
      add(usage.connections, typeof connection === "string" ? connection : "AzureWebJobsStorage", source);
    }
  }
  for (const name of bindingExpressions(hostJsonText)) add(usage.settings, name, source);
}

const TRIGGER_CAPABILITIES: Record<string, Capability> = {
  "app.serviceBusQueue": "serviceBusReceive",
  "app.serviceBusTopic": "serviceBusReceive",
  "trigger.serviceBusQueue": "serviceBusReceive",
  "trigger.serviceBusTopic": "serviceBusReceive",
  "output.serviceBusQueue": "serviceBusSend",
  "output.serviceBusTopic": "serviceBusSend",
  "app.eventHub": "eventHubsReceive",
  "trigger.eventHub": "eventHubsReceive",
  "output.eventHub": "eventHubsSend",
  "app.storageQueue": "storageQueue",
  "trigger.storageQueue": "storageQueue",
  "output.storageQueue": "storageQueue",
  "input.table": "storageTable",
  "output.table": "storageTable",
};

const SDK_CAPABILITIES: Record<string, Capability> = {
  createSender: "serviceBusSend",
  createReceiver: "serviceBusReceive",
  acceptSession: "serviceBusReceive",
  acceptNextSession: "serviceBusReceive",
  EventHubProducerClient: "eventHubsSend",
  EventHubConsumerClient: "eventHubsReceive",
  TableClient: "storageTable",
  TableServiceClient: "storageTable",
  QueueClient: "storageQueue",
  QueueServiceClient: "storageQueue",
};

/** A table lookup that ignores inherited members (`toString`, `constructor`, …). */
function ownValue<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Types of an environment record, whitespace removed: `NodeJS.ProcessEnv`, `Record<string, string | undefined>`, either `Readonly`. */
const ENVIRONMENT_TYPE = /^(Readonly<)?(NodeJS\.ProcessEnv|ProcessEnv|Record<string,string\|undefined>|Record<string,undefined\|string>)>?$/;

/** Scans one TypeScript file of the app with the TypeScript compiler's syntax tree. */
class SourceScanner {
  /** Local names bound to the shared names object (`import { azureResources as r } ...`). */
  private readonly configNames = new Set<string>();
  private readonly stringConstants = new Map<string, string>();
  /** Type aliases of this file that name an environment record (`type Environment = Readonly<Record<…>>`). */
  private readonly environmentTypes = new Set<string>();
  /** Parameters and variables of this file with a declared type or an initial value, by name. */
  private readonly declarations: (ts.ParameterDeclaration | ts.VariableDeclaration)[] = [];

  constructor(
    private readonly usage: AppUsage,
    private readonly config: AzureResourcesDefinition,
    private readonly file: ts.SourceFile,
    private readonly fileName: string,
  ) {}

  scan(): void {
    this.collectBindings(this.file);
    this.visit(this.file);
  }

  private source(node: ts.Node): UsageSource {
    return `${this.fileName}:${this.file.getLineAndCharacterOfPosition(node.getStart(this.file)).line + 1}`;
  }

  private collectBindings(node: ts.Node): void {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && /config\/azure-resources$/.test(node.moduleSpecifier.text)) {
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          if ((element.propertyName ?? element.name).text === "azureResources") this.configNames.add(element.name.text);
        }
      } else if (bindings && ts.isNamespaceImport(bindings)) {
        this.configNames.add(`${bindings.name.text}.azureResources`);
      }
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isStringLiteralLike(node.initializer)) {
      this.stringConstants.set(node.name.text, node.initializer.text);
    }
    if (ts.isTypeAliasDeclaration(node) && this.isEnvironmentType(node.type)) this.environmentTypes.add(node.name.text);
    if ((ts.isParameter(node) || ts.isVariableDeclaration(node)) && ts.isIdentifier(node.name)) this.declarations.push(node);
    ts.forEachChild(node, (child) => this.collectBindings(child));
  }

  /** A string the expression certainly holds: a literal, a local constant or a path into the shared names. */
  private resolveString(expression: ts.Expression | undefined): string | undefined {
    if (!expression) return undefined;
    if (ts.isStringLiteralLike(expression)) return expression.text;
    if (ts.isIdentifier(expression)) return this.stringConstants.get(expression.text);
    if (ts.isPropertyAccessExpression(expression) || ts.isElementAccessExpression(expression)) {
      const path: string[] = [];
      let current: ts.Expression = expression;
      while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) {
        const key = ts.isPropertyAccessExpression(current)
          ? current.name.text
          : ts.isStringLiteralLike(current.argumentExpression)
            ? current.argumentExpression.text
            : undefined;
        if (key === undefined) return undefined;
        path.unshift(key);
        current = current.expression;
        if (this.configNames.has(current.getText(this.file))) {
          let value: unknown = this.config;
          for (const step of path) value = (value as Record<string, unknown> | undefined)?.[step];
          return typeof value === "string" ? value : undefined;
        }
      }
    }
    return undefined;
  }

  private isProcessEnv(expression: ts.Expression): boolean {
    return expression.getText(this.file).replace(/\s/g, "") === "process.env";
  }

  private isEnvironmentType(type: ts.TypeNode | undefined): boolean {
    if (!type) return false;
    const text = type.getText(this.file).replace(/\s/g, "");
    return ENVIRONMENT_TYPE.test(text) || this.environmentTypes.has(text) || this.environmentTypes.has(text.replace(/^Readonly<(.*)>$/, "$1"));
  }

  /**
   * Where settings are read from: `process.env`, and a record passed in its place (settings readers take
   * `env` so tests can hand them one): an identifier or `this.` member named `env`, or one declared in this
   * file with an environment record type or `process.env` as its value. Names are matched file-wide.
   */
  private isEnvironment(expression: ts.Expression): boolean {
    if (this.isProcessEnv(expression)) return true;
    const name = ts.isIdentifier(expression)
      ? expression.text
      : ts.isPropertyAccessExpression(expression) && expression.expression.kind === ts.SyntaxKind.ThisKeyword
        ? expression.name.text
        : undefined;
    if (name === undefined) return false;
    if (name === "env") return true;
    return this.declarations.some(
      (declaration) =>
        (declaration.name as ts.Identifier).text === name &&
        (this.isEnvironmentType(declaration.type) || (declaration.initializer !== undefined && this.isProcessEnv(declaration.initializer))),
    );
  }

  private visit(node: ts.Node): void {
    if (ts.isPropertyAccessExpression(node) && this.isEnvironment(node.expression)) {
      this.readSetting(node.name.text, node);
    } else if (ts.isElementAccessExpression(node) && this.isEnvironment(node.expression)) {
      const name = this.resolveString(node.argumentExpression);
      if (name) this.readSetting(name, node);
    } else if (ts.isVariableDeclaration(node) && node.initializer && this.isEnvironment(node.initializer) && ts.isObjectBindingPattern(node.name)) {
      for (const element of node.name.elements) {
        const key = element.propertyName ?? element.name;
        if (ts.isIdentifier(key) || ts.isStringLiteral(key)) this.readSetting(key.text, element);
      }
    } else if (ts.isCallExpression(node)) {
      this.visitCall(node);
    } else if (ts.isNewExpression(node)) {
      this.visitNew(node);
    }
    ts.forEachChild(node, (child) => this.visit(child));
  }

  private readSetting(name: string, node: ts.Node): void {
    const isConnection = Object.values(this.config.connections).includes(name);
    add(isConnection ? this.usage.connections : this.usage.settings, name, this.source(node));
  }

  private visitCall(call: ts.CallExpression): void {
    const callee = call.expression.getText(this.file).replace(/\s/g, "");
    const method = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : callee;
    const source = this.source(call);
    const registration = ownValue(TRIGGER_CAPABILITIES, callee.replace(/^df\./, ""));
    if (registration) add(this.usage.capabilities, registration, source);
    if (/^(df\.)?(app|input|output|trigger)\./.test(callee)) {
      for (const argument of call.arguments) if (ts.isObjectLiteralExpression(argument)) this.visitOptions(argument, callee);
    }
    const sdk = ownValue(SDK_CAPABILITIES, method);
    if (sdk && ts.isPropertyAccessExpression(call.expression)) {
      add(this.usage.capabilities, sdk, source);
      const [entity, subscription] = call.arguments.map((argument) => this.resolveString(argument));
      if (entity) add(this.usage.serviceBusEntities, entity, source);
      if (entity && subscription && method === "createReceiver") add(this.usage.subscriptions, `${entity}/${subscription}`, source);
    }
    if (callee === "TableClient.fromConnectionString") {
      const table = this.resolveString(call.arguments[1]);
      if (table) add(this.usage.tables, table, source);
    }
  }

  private visitNew(expression: ts.NewExpression): void {
    const name = expression.expression.getText(this.file);
    const capability = SDK_CAPABILITIES[name];
    if (!capability) return;
    const source = this.source(expression);
    add(this.usage.capabilities, capability, source);
    const args = expression.arguments ?? [];
    if (name === "TableClient") {
      const table = this.resolveString(args[1]);
      if (table) add(this.usage.tables, table, source);
    }
    if (name === "EventHubProducerClient" || name === "EventHubConsumerClient") {
      // (connectionString | fullyQualifiedNamespace, eventHubName, ...)
      const hub = this.resolveString(args[1]);
      if (hub) add(this.usage.eventHubs, hub, source);
    }
  }

  private visitOptions(options: ts.ObjectLiteralExpression, callee: string): void {
    const values = new Map<string, string>();
    for (const property of options.properties) {
      if (!ts.isPropertyAssignment(property)) continue;
      const key = property.name.getText(this.file);
      const value = this.resolveString(property.initializer);
      if (value === undefined) continue;
      values.set(key, value);
      for (const name of bindingExpressions(value)) add(this.usage.settings, name, this.source(property));
    }
    const source = this.source(options);
    const connection = values.get("connection");
    if (connection) add(this.usage.connections, connection, source);
    for (const key of ["queueName", "topicName"]) {
      const entity = values.get(key);
      if (entity && !entity.includes("%") && /serviceBus/i.test(callee)) add(this.usage.serviceBusEntities, entity, source);
    }
    const topic = values.get("topicName");
    const subscription = values.get("subscriptionName");
    if (topic && subscription) add(this.usage.subscriptions, `${topic}/${subscription}`, source);
    const hub = values.get("eventHubName");
    if (hub && !hub.includes("%")) add(this.usage.eventHubs, hub, source);
    const table = values.get("tableName");
    if (table && !table.includes("%")) add(this.usage.tables, table, source);
  }
}

function typeScriptFilesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.m?ts$/.test(entry.name) && !/\.(test|d)\.m?ts$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

export interface AppUsageOptions {
  /** Folder with host.json and the app's code. */
  appRoot: string;
  /** Code folders under appRoot that run in Azure. */
  codeFolders?: string[];
  config: AzureResourcesDefinition;
}

/** Everything the app reads or talks to, from the shared names, host.json and the code's syntax trees. */
export function appUsage({ appRoot, codeFolders = ["functions", "shared", "plugins"], config }: AppUsageOptions): AppUsage {
  const usage = emptyUsage();
  addConfigUsage(usage, config, "shared/config/azure-resources.ts");
  const hostJsonPath = join(appRoot, "host.json");
  if (existsSync(hostJsonPath)) addHostJsonUsage(usage, readFileSync(hostJsonPath, "utf8"), "host.json");
  for (const folder of codeFolders) {
    for (const path of typeScriptFilesUnder(join(appRoot, folder))) {
      const fileName = relative(appRoot, path).split("\\").join("/");
      const file = ts.createSourceFile(fileName, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
      new SourceScanner(usage, config, file, fileName).scan();
    }
  }
  return usage;
}
