import { posix } from "node:path";
import { BicepModule, Opaque, type BicepValue, type ModuleDeclaration, type ResourceDeclaration } from "./bicep-model";
import { locationOf, type ParsedBicepFile, type SourceLocation, type SyntaxNode } from "./bicep-syntax";

export interface AppSettingFact {
  name: string;
  /** The value's expression with variables written out. */
  expression: string;
  conditional: boolean;
  location: SourceLocation;
  /** The value's expression, and the file that holds it, to trace where it comes from. */
  value: SyntaxNode;
  module: BicepModule;
}

export interface RoleAssignmentFact {
  symbol: string;
  roleDefinitionIds: string[];
  /** Resource type of the `scope:` resource; `resourceGroup` when the assignment has no scope. */
  scopeType: string;
  conditional: boolean;
  location: SourceLocation;
  principalId?: SyntaxNode;
  principalType: BicepValue | undefined;
  module: BicepModule;
}

/** A Service Bus queue, topic or subscription, or an event hub, or a table, with its literal properties. */
export interface EntityFact {
  name: string;
  /** Topic name, for subscriptions. */
  parentName?: string;
  properties: Record<string, BicepValue>;
  location: SourceLocation;
}

export interface LocalAuthFact {
  resourceType: string;
  symbol: string;
  /** The property that turns shared keys off and whether it does. */
  property: string;
  disabled: boolean;
  location: SourceLocation;
}

export interface InfraFacts {
  appSettings: AppSettingFact[];
  roleAssignments: RoleAssignmentFact[];
  queues: EntityFact[];
  topics: EntityFact[];
  subscriptions: EntityFact[];
  eventHubs: EntityFact[];
  tables: EntityFact[];
  localAuth: LocalAuthFact[];
  /** `Microsoft.Web/sites/config` authsettingsV2 bodies, evaluated. */
  authSettings: { properties: Record<string, BicepValue>; location: SourceLocation }[];
  /** Flex Consumption `functionAppConfig` of each site, evaluated. */
  functionAppConfigs: { properties: Record<string, BicepValue>; location: SourceLocation }[];
  /** Every call of a `list*` function (listKeys, listConnectionStrings, ...) in any file. */
  listCalls: SourceLocation[];
  /** Every string in any file that spells out a key (`AccountKey=`, `SharedAccessKey=`, ...). */
  keyLiterals: SourceLocation[];
  modules: BicepModule[];
}

const LOCAL_AUTH_PROPERTIES: Record<string, { property: string; disabledWhen: boolean }> = {
  "microsoft.storage/storageaccounts": { property: "allowSharedKeyAccess", disabledWhen: false },
  "microsoft.servicebus/namespaces": { property: "disableLocalAuth", disabledWhen: true },
  "microsoft.eventhub/namespaces": { property: "disableLocalAuth", disabledWhen: true },
  "microsoft.insights/components": { property: "DisableLocalAuth", disabledWhen: true },
};

function asRecord(value: BicepValue): Record<string, BicepValue> {
  return value && typeof value === "object" && !(value instanceof Opaque) && !Array.isArray(value) ? value : {};
}

function entityFacts(module: BicepModule, type: string): EntityFact[] {
  return module.resourcesOfType(type).flatMap((resource) => {
    const propertiesNode = module.property(resource.body, "properties");
    const properties = propertiesNode ? asRecord(module.evaluate(propertiesNode)) : {};
    const parent = module.property(resource.body, "parent");
    const parentResource = parent && module.resourceBySymbol(parent.text);
    const parentName = parentResource ? module.namesOf(parentResource)[0] : undefined;
    return module.namesOf(resource).map((name) => ({
      name: typeof name === "string" ? name : `<${name instanceof Opaque ? name.text : String(name)}>`,
      parentName: typeof parentName === "string" ? parentName : undefined,
      properties,
      location: resource.location,
    }));
  });
}

function appSettingFacts(module: BicepModule): AppSettingFact[] {
  const settings: AppSettingFact[] = [];
  for (const config of module.resourcesOfType("Microsoft.Web/sites/config")) {
    const [name] = module.namesOf(config);
    const properties = module.property(config.body, "properties");
    if (name !== "appsettings" || !properties) continue;
    for (const entry of module.entries(properties)) {
      settings.push({
        name: entry.key,
        expression: module.expand(entry.value),
        conditional: entry.conditional || config.condition !== undefined,
        location: locationOf(module.file, entry.value),
        value: entry.value,
        module,
      });
    }
  }
  // Settings may also be written inline as siteConfig.appSettings name/value pairs.
  for (const site of module.resourcesOfType("Microsoft.Web/sites")) {
    const siteConfig = module.property(module.property(site.body, "properties"), "siteConfig");
    const pairs = module.property(siteConfig, "appSettings");
    for (const pair of pairs?.type === "array" ? pairs.namedChildren : []) {
      const name = module.evaluate(module.property(pair, "name") ?? pair);
      const value = module.property(pair, "value");
      if (typeof name !== "string" || !value) continue;
      settings.push({ name, expression: module.expand(value), conditional: false, location: locationOf(module.file, pair), value, module });
    }
  }
  return settings;
}

function roleAssignmentFacts(module: BicepModule): RoleAssignmentFact[] {
  return module.resourcesOfType("Microsoft.Authorization/roleAssignments").map((assignment) => {
    const properties = module.property(assignment.body, "properties");
    const roleDefinition = module.property(properties, "roleDefinitionId");
    const scope = module.property(assignment.body, "scope");
    const scopeResource: ResourceDeclaration | undefined = scope && module.resourceBySymbol(scope.text);
    const principalType = module.property(properties, "principalType");
    return {
      symbol: assignment.symbol,
      roleDefinitionIds: roleDefinition ? module.guidsIn(roleDefinition) : [],
      scopeType: scope ? (scopeResource?.type ?? `<${scope.text}>`) : "resourceGroup",
      conditional: assignment.condition !== undefined,
      location: assignment.location,
      principalId: module.property(properties, "principalId"),
      principalType: principalType && module.evaluate(principalType),
      module,
    };
  });
}

function localAuthFacts(module: BicepModule): LocalAuthFact[] {
  return module.resources
    .filter((resource) => !resource.existing && LOCAL_AUTH_PROPERTIES[resource.type.toLowerCase()])
    .map((resource) => {
      const { property, disabledWhen } = LOCAL_AUTH_PROPERTIES[resource.type.toLowerCase()];
      const propertiesNode = module.property(resource.body, "properties");
      const value = propertiesNode ? asRecord(module.evaluate(propertiesNode))[property] : undefined;
      return { resourceType: resource.type, symbol: resource.symbol, property, disabled: value === disabledWhen, location: resource.location };
    });
}

function listCallLocations(module: BicepModule): SourceLocation[] {
  const found: SourceLocation[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.type === "call_expression") {
      const callee = node.childForFieldName("function");
      const name = callee?.type === "member_expression" ? callee.childForFieldName("property")?.text : callee?.text;
      if (name && /^list[A-Z]/.test(name)) found.push(locationOf(module.file, node));
    }
    for (const child of node.namedChildren) visit(child);
  };
  visit(module.parsed.root);
  return found;
}

const KEY_IN_TEXT = /AccountKey=|SharedAccessKey=|SharedAccessSignature=|\bsig=/i;

function keyLiteralLocations(module: BicepModule): SourceLocation[] {
  const found: SourceLocation[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.type === "string" && KEY_IN_TEXT.test(node.text)) found.push(locationOf(module.file, node));
    else for (const child of node.namedChildren) visit(child);
  };
  visit(module.parsed.root);
  return found;
}

function evaluatedBodies(module: BicepModule, type: string, name: string | undefined, path: string[]) {
  return module
    .resourcesOfType(type)
    .filter((resource) => name === undefined || module.namesOf(resource)[0] === name)
    .map((resource) => {
      let node: SyntaxNode | undefined = resource.body;
      for (const key of path) node = module.property(node, key);
      return { properties: node ? asRecord(module.evaluate(node)) : {}, location: resource.location };
    });
}

/** The file a `module` statement of `caller` deploys, as its path among the loaded files. */
export function moduleTargetFile(caller: BicepModule, declaration: ModuleDeclaration): string {
  return posix.normalize(posix.join(posix.dirname(caller.file), declaration.path));
}

/** Files deployed only under a condition: modules declared with `if (...)`, and the modules those declare. */
function conditionalFiles(modules: BicepModule[]): Set<string> {
  const conditional = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const module of modules) {
      for (const declaration of module.moduleDeclarations) {
        const target = moduleTargetFile(module, declaration);
        if ((declaration.condition !== undefined || conditional.has(module.file)) && !conditional.has(target)) {
          conditional.add(target);
          grew = true;
        }
      }
    }
  }
  return conditional;
}

/** What the Bicep files deploy, read from their syntax trees. */
export function infraFacts(files: ParsedBicepFile[]): InfraFacts {
  const modules = files.map((file) => new BicepModule(file));
  const conditional = conditionalFiles(modules);
  const inConditionalFile = <T extends { conditional: boolean; location: SourceLocation }>(fact: T): T => ({
    ...fact,
    conditional: fact.conditional || conditional.has(fact.location.file),
  });
  return {
    appSettings: modules.flatMap(appSettingFacts).map(inConditionalFile),
    roleAssignments: modules.flatMap(roleAssignmentFacts).map(inConditionalFile),
    queues: modules.flatMap((module) => entityFacts(module, "Microsoft.ServiceBus/namespaces/queues")),
    topics: modules.flatMap((module) => entityFacts(module, "Microsoft.ServiceBus/namespaces/topics")),
    subscriptions: modules.flatMap((module) => entityFacts(module, "Microsoft.ServiceBus/namespaces/topics/subscriptions")),
    eventHubs: modules.flatMap((module) => entityFacts(module, "Microsoft.EventHub/namespaces/eventhubs")),
    tables: modules.flatMap((module) => entityFacts(module, "Microsoft.Storage/storageAccounts/tableServices/tables")),
    localAuth: modules.flatMap(localAuthFacts),
    authSettings: modules.flatMap((module) => evaluatedBodies(module, "Microsoft.Web/sites/config", "authsettingsV2", ["properties"])),
    functionAppConfigs: modules.flatMap((module) =>
      evaluatedBodies(module, "Microsoft.Web/sites", undefined, ["properties", "functionAppConfig"]).filter(
        (config) => Object.keys(config.properties).length > 0,
      ),
    ),
    listCalls: modules.flatMap(listCallLocations),
    keyLiterals: modules.flatMap(keyLiteralLocations),
    modules,
  };
}
