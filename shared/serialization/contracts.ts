import {
  CONDITION_OPERATORS,
  Entity,
  EntityCollection,
  EntityReference,
  EMPTY_GUID,
  DateTimeValue,
  Decimal,
  Money,
  OptionSetValue,
  type RemoteExecutionContext,
} from "../model";

/**
 * The data contracts of the execution context, described once: member names in wire order, the
 * model property each maps to, and its type. The JSON and XML codecs both interpret these tables,
 * so member order and typing live in one place.
 */
export type FieldType =
  | { t: "string"; nullable?: boolean }
  | { t: "int"; nullable?: boolean; enumNames?: readonly string[] }
  | { t: "bool" }
  | { t: "guid"; nullable?: boolean }
  | { t: "decimal" }
  | { t: "date" }
  /** An object-typed slot: any Value, with a type hint where the runtime type needs one. */
  | { t: "any" }
  /** Kept as read, not interpreted (JSON only). */
  | { t: "json" }
  | { t: "list"; of: FieldType; xmlItem: string; xmlItemNs?: "arrays" }
  /** A DataCollection<string, V>: JSON `[{"key":…,"value":…}]`, XML KeyValuePairOf… elements. */
  | { t: "map"; of: FieldType; xmlItem: string }
  | { t: "relatedEntities" }
  | { t: "contract"; contract: Contract; nullable?: boolean };

export interface Member {
  /** Wire name (JSON key and XML element name). */
  name: string;
  /** Model property. */
  prop: string;
  /** The member's key as compact JSON writes it (`"Name":`), to recognise the expected member without decoding it. */
  key: string;
  /** Reads and writes the property (compiled per member, so each access site sees one object shape). */
  get(target: object): unknown;
  set(target: object, value: unknown): void;
  type: FieldType;
  /** Newer members: absent in older payloads, written only when set. */
  optional?: boolean;
}

export interface Contract {
  /** Data-contract name, used in `__type` / `i:type` hints. */
  name: string;
  /** Data-contract namespace (all of ours are the Xrm 2011 Contracts namespace). */
  namespace: string;
  members: Member[];
  byName: Map<string, Member>;
  create(): object;
}

export const CONTRACTS_NS = "http://schemas.microsoft.com/xrm/2011/Contracts";

const STRING: FieldType = { t: "string" };
const NULLABLE_STRING: FieldType = { t: "string", nullable: true };
const INT: FieldType = { t: "int" };
const BOOL: FieldType = { t: "bool" };
const GUID: FieldType = { t: "guid" };
const NULLABLE_GUID: FieldType = { t: "guid", nullable: true };
const ANY: FieldType = { t: "any" };
const ANY_MAP: FieldType = { t: "map", of: ANY, xmlItem: "KeyValuePairOfstringanyType" };
const STRING_MAP: FieldType = { t: "map", of: STRING, xmlItem: "KeyValuePairOfstringstring" };

/**
 * The same type with every possible key present in one order, so all field types share one object shape
 * and the codecs' `type.t` reads stay monomorphic.
 */
function uniform(type: FieldType): FieldType {
  const all = type as Partial<Record<"nullable" | "enumNames" | "of" | "xmlItem" | "xmlItemNs" | "contract", unknown>>;
  return {
    t: type.t,
    nullable: all.nullable === true,
    enumNames: all.enumNames,
    of: all.of === undefined ? undefined : uniform(all.of as FieldType),
    xmlItem: all.xmlItem,
    xmlItemNs: all.xmlItemNs,
    contract: all.contract,
  } as FieldType;
}

function m(name: string, rawType: FieldType, optional = false): Member {
  const type = uniform(rawType);
  const prop = name[0].toLowerCase() + name.slice(1);
  // Property names are this file's constants, never input.
  const get = new Function("target", `return target.${prop};`) as Member["get"];
  const set = new Function("target", "value", `target.${prop} = value;`) as Member["set"];
  return { name, prop, key: `"${name}":`, type, optional, get, set };
}

function contract(name: string, create: () => object, members: Member[]): Contract {
  return { name, namespace: CONTRACTS_NS, members, byName: new Map(members.map((member) => [member.name, member])), create };
}

const listOf = (of: FieldType, xmlItem: string, xmlItemNs?: "arrays"): FieldType => ({ t: "list", of, xmlItem, xmlItemNs });
const contractOf = (c: Contract, nullable = false): FieldType => ({ t: "contract", contract: c, nullable });

/** Data contracts order unordered members ordinally (case-sensitive), as .NET's string.CompareOrdinal. */
function ordinal(members: Member[]): Member[] {
  return [...members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export const OPTION_SET_VALUE = contract("OptionSetValue", () => new OptionSetValue(0), [m("Value", INT)]);
const ZERO = new Decimal("0");
export const MONEY = contract("Money", () => new Money(ZERO), [m("Value", { t: "decimal" })]);

export const ENTITY_REFERENCE = contract("EntityReference", () => new EntityReference("", EMPTY_GUID), [
  m("Id", GUID),
  m("KeyAttributes", ANY_MAP),
  m("LogicalName", STRING),
  m("Name", NULLABLE_STRING),
  m("RowVersion", NULLABLE_STRING),
]);

export const ENTITY = contract("Entity", () => new Entity("", EMPTY_GUID), [
  m("Attributes", ANY_MAP),
  m("EntityState", { t: "int", nullable: true, enumNames: ["Unchanged", "Created", "Changed"] }),
  m("FormattedValues", STRING_MAP),
  m("Id", GUID),
  m("KeyAttributes", ANY_MAP),
  m("LogicalName", STRING),
  m("RelatedEntities", { t: "relatedEntities" }),
  m("RowVersion", NULLABLE_STRING),
]);

export const ENTITY_COLLECTION = contract("EntityCollection", () => new EntityCollection([], null), [
  m("Entities", listOf(contractOf(ENTITY), "Entity")),
  m("EntityName", NULLABLE_STRING),
  m("MinActiveRowVersion", NULLABLE_STRING),
  m("MoreRecords", BOOL),
  m("PagingCookie", NULLABLE_STRING),
  m("TotalRecordCount", INT),
  m("TotalRecordCountLimitExceeded", BOOL),
]);

export const RELATIONSHIP = contract("Relationship", () => ({ primaryEntityRole: null, schemaName: "" }), [
  m("PrimaryEntityRole", { t: "int", nullable: true, enumNames: ["Referencing", "Referenced"] }),
  m("SchemaName", STRING),
]);

// QueryExpression and its parts: member order as the SDK's DataMember Order attributes put it
// (unordered members alphabetically first, then the ordered ones).
export const COLUMN_SET = contract("ColumnSet", () => ({ kind: "ColumnSet", allColumns: false, attributeExpressions: [], columns: [] }), [
  m("AllColumns", BOOL),
  m("AttributeExpressions", listOf({ t: "json" }, "XrmAttributeExpression")),
  m("Columns", listOf(STRING, "string", "arrays")),
]);

export const CONDITION_EXPRESSION = contract(
  "ConditionExpression",
  () => ({ attributeName: "", compareColumns: false, operator: 0, values: [], entityName: null }),
  [
    m("AttributeName", STRING),
    m("CompareColumns", BOOL),
    m("Operator", { t: "int", enumNames: CONDITION_OPERATORS }),
    m("Values", listOf(ANY, "anyType", "arrays")),
    m("EntityName", NULLABLE_STRING),
  ],
);

export const FILTER_EXPRESSION: Contract = contract("FilterExpression", () => ({ conditions: [], filterOperator: 0, filters: [] }), []);
FILTER_EXPRESSION.members.push(
  m("Conditions", listOf(contractOf(CONDITION_EXPRESSION), "ConditionExpression")),
  m("FilterOperator", { t: "int", enumNames: ["And", "Or"] }),
  m("Filters", listOf(contractOf(FILTER_EXPRESSION), "FilterExpression")),
);

export const ORDER_EXPRESSION = contract("OrderExpression", () => ({ alias: null, attributeName: "", orderType: 0 }), [
  m("Alias", NULLABLE_STRING),
  m("AttributeName", STRING),
  m("OrderType", { t: "int", enumNames: ["Ascending", "Descending"] }),
]);

export const PAGING_INFO = contract("PagingInfo", () => ({ count: 0, pageNumber: 0, pagingCookie: null, returnTotalRecordCount: false }), [
  m("Count", INT),
  m("PageNumber", INT),
  m("PagingCookie", NULLABLE_STRING),
  m("ReturnTotalRecordCount", BOOL),
]);

export const LINK_ENTITY: Contract = contract(
  "LinkEntity",
  () => ({
    columns: COLUMN_SET.create(),
    entityAlias: null,
    joinOperator: 0,
    linkCriteria: FILTER_EXPRESSION.create(),
    linkEntities: [],
    linkFromAttributeName: "",
    linkFromEntityName: "",
    linkToAttributeName: "",
    linkToEntityName: "",
    orders: [],
  }),
  [],
);
LINK_ENTITY.members.push(
  m("Columns", contractOf(COLUMN_SET)),
  m("EntityAlias", NULLABLE_STRING),
  m("JoinOperator", { t: "int", enumNames: ["Inner", "LeftOuter", "Natural"] }),
  m("LinkCriteria", contractOf(FILTER_EXPRESSION)),
  m("LinkEntities", listOf(contractOf(LINK_ENTITY), "LinkEntity")),
  m("LinkFromAttributeName", STRING),
  m("LinkFromEntityName", STRING),
  m("LinkToAttributeName", STRING),
  m("LinkToEntityName", STRING),
  m("Orders", listOf(contractOf(ORDER_EXPRESSION), "OrderExpression")),
);
for (const c of [FILTER_EXPRESSION, LINK_ENTITY]) for (const member of c.members) c.byName.set(member.name, member);

export const QUERY_EXPRESSION = contract(
  "QueryExpression",
  () => ({
    kind: "QueryExpression",
    columnSet: COLUMN_SET.create(),
    criteria: FILTER_EXPRESSION.create(),
    distinct: false,
    entityName: "",
    linkEntities: [],
    orders: [],
    pageInfo: PAGING_INFO.create(),
    noLock: false,
    queryHints: null,
  }),
  [
    m("ColumnSet", contractOf(COLUMN_SET)),
    m("Criteria", contractOf(FILTER_EXPRESSION)),
    m("Distinct", BOOL),
    m("EntityName", STRING),
    m("LinkEntities", listOf(contractOf(LINK_ENTITY), "LinkEntity")),
    m("Orders", listOf(contractOf(ORDER_EXPRESSION), "OrderExpression")),
    m("PageInfo", contractOf(PAGING_INFO)),
    m("NoLock", BOOL),
    m("QueryHints", NULLABLE_STRING),
    m("TopCount", { t: "int", nullable: true }, true),
  ],
);

const IMAGES: FieldType = { t: "map", of: contractOf(ENTITY), xmlItem: "KeyValuePairOfstringEntity" };

/** A context with every required member at its empty value; decoders fill it in. */
function blankContext(): RemoteExecutionContext {
  return {
    businessUnitId: EMPTY_GUID,
    correlationId: EMPTY_GUID,
    depth: 0,
    initiatingUserId: EMPTY_GUID,
    inputParameters: new Map(),
    isExecutingOffline: false,
    isInTransaction: false,
    isOfflinePlayback: false,
    isolationMode: 0,
    messageName: "",
    mode: 0,
    operationCreatedOn: new DateTimeValue(0),
    operationId: EMPTY_GUID,
    organizationId: EMPTY_GUID,
    organizationName: "",
    outputParameters: new Map(),
    owningExtension: null,
    parentContext: null,
    postEntityImages: new Map(),
    preEntityImages: new Map(),
    primaryEntityId: EMPTY_GUID,
    primaryEntityName: "",
    requestId: null,
    secondaryEntityName: "",
    sharedVariables: new Map(),
    stage: 0,
    userId: EMPTY_GUID,
  };
}

export const REMOTE_EXECUTION_CONTEXT: Contract = contract("RemoteExecutionContext", blankContext, []);
REMOTE_EXECUTION_CONTEXT.members.push(
  ...ordinal([
    m("AuthenticatedUserId", GUID, true),
    m("BusinessUnitId", GUID),
    m("CorrelationId", GUID),
    m("Depth", INT),
    m("EnvironmentId", STRING, true),
    m("InitiatingUserAgent", STRING, true),
    m("InitiatingUserApplicationId", GUID, true),
    m("InitiatingUserAzureActiveDirectoryObjectId", GUID, true),
    m("InitiatingUserId", GUID),
    m("InputParameters", ANY_MAP),
    m("IsApplicationUser", BOOL, true),
    m("IsExecutingOffline", BOOL),
    m("IsInTransaction", BOOL),
    m("IsOfflinePlayback", BOOL),
    m("IsPortalsClientCall", BOOL, true),
    m("IsolationMode", INT),
    m("MessageName", STRING),
    m("Mode", INT),
    m("OperationCreatedOn", { t: "date" }),
    m("OperationId", GUID),
    m("OrganizationId", GUID),
    m("OrganizationName", STRING),
    m("OutputParameters", ANY_MAP),
    m("OwningExtension", contractOf(ENTITY_REFERENCE, true)),
    m("ParentContext", contractOf(REMOTE_EXECUTION_CONTEXT, true)),
    m("PortalsContactId", GUID, true),
    m("PostEntityImages", IMAGES),
    m("PreEntityImages", IMAGES),
    m("PrimaryEntityId", GUID),
    m("PrimaryEntityName", STRING),
    m("RequestId", NULLABLE_GUID),
    m("SecondaryEntityName", STRING),
    m("SharedVariables", ANY_MAP),
    m("Stage", INT),
    m("UserAzureActiveDirectoryObjectId", GUID, true),
    m("UserId", GUID),
  ]),
);
for (const member of REMOTE_EXECUTION_CONTEXT.members) REMOTE_EXECUTION_CONTEXT.byName.set(member.name, member);

/** Contracts that appear in object-typed slots, by data-contract name (the part of a hint before `:`). */
export const SLOT_CONTRACTS: ReadonlyMap<string, Contract> = new Map(
  [ENTITY, ENTITY_REFERENCE, ENTITY_COLLECTION, OPTION_SET_VALUE, MONEY, QUERY_EXPRESSION, COLUMN_SET].map((c) => [c.name, c]),
);

/** Members a size-limited channel drops (§G), in Dataverse's documented order. */
export const DROPPABLE_MEMBERS = ["ParentContext", "InputParameters", "PreEntityImages", "PostEntityImages"] as const;
