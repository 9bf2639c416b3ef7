import { XMLBuilder } from "fast-xml-parser";
import type { ColumnDefinition } from "../metadata/columns";
import { EDM_TYPE } from "../metadata/edm";
import type { TableCatalog } from "../metadata/catalog";
import type { TableDefinition } from "../metadata/tables";
import { webApiPropertyName } from "../metadata/validate";
import { navigationProperties, type NavigationProperty } from "./navigation-properties";

/**
 * The CSDL `$metadata` document (OData v4 XML) of one organization's tables, in Dataverse's shape
 * (Microsoft Learn, Web API Service Documents, EntityTypes, Navigation Properties): namespace
 * `Microsoft.Dynamics.CRM` alias `mscrm`, every table an EntityType deriving from the abstract
 * `crmbaseentity`, lookups as `_name_value` plus single-valued navigation properties, and an
 * EntityContainer `System` with an EntitySet per table and the `WhoAmI` function.
 */

export const CSDL_NAMESPACE = "Microsoft.Dynamics.CRM";
const ALIAS = "mscrm";
const EDMX_NS = "http://docs.oasis-open.org/odata/ns/edmx";
const EDM_NS = "http://docs.oasis-open.org/odata/ns/edm";
const BASE_ENTITY = "crmbaseentity";

/** A node in fast-xml-parser's ordered form: `{ tag: children, ":@": attributes }`; the builder escapes attribute values. */
type XmlNode = Record<string, unknown>;

const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, suppressEmptyNode: true, format: false });

function element(tag: string, attributes: Record<string, string>, children: XmlNode[] = []): XmlNode {
  return { [tag]: children, ":@": Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`@_${name}`, value])) };
}

/** A schema element as the schema's own types and functions name it (`mscrm.account`). */
const qualified = (name: string): string => `${ALIAS}.${name}`;
/**
 * A schema element as the EntityContainer names it: Dataverse writes the namespace there, not the alias
 * (`<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account">`), and clients that map entity sets
 * to types strip that prefix.
 */
const fullyQualified = (name: string): string => `${CSDL_NAMESPACE}.${name}`;

export function metadataDocument(catalog: TableCatalog): string {
  const tables = catalog.tables;
  const schema = element("Schema", { Namespace: CSDL_NAMESPACE, Alias: ALIAS, xmlns: EDM_NS }, [
    element("EntityType", { Name: BASE_ENTITY, Abstract: "true" }),
    ...tables.map((table) => entityType(catalog, table)),
    ...whoAmIDefinitions(),
    element("EntityContainer", { Name: "System" }, [
      ...tables.map((table) => entitySet(catalog, table)),
      element("FunctionImport", { Name: "WhoAmI", Function: fullyQualified("WhoAmI") }),
    ]),
  ]);
  const edmx = element("edmx:Edmx", { Version: "4.0", "xmlns:edmx": EDMX_NS }, [element("edmx:DataServices", {}, [schema])]);
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build([edmx]) as string}`;
}

function entityType(catalog: TableCatalog, table: TableDefinition): XmlNode {
  return element("EntityType", { Name: table.logicalName, BaseType: qualified(BASE_ENTITY) }, [
    element("Key", {}, [element("PropertyRef", { Name: table.primaryIdAttribute })]),
    ...table.columns.map((column) => property(table, column)),
    ...navigationProperties(catalog, table).map(navigationProperty),
  ]);
}

function property(table: TableDefinition, column: ColumnDefinition): XmlNode {
  const type = EDM_TYPE[column.type];
  const attributes: Record<string, string> = { Name: webApiPropertyName(column), Type: type };
  // CSDL's default Scale is 0: without this a client would round decimals and money to whole numbers.
  if (type === "Edm.Decimal") attributes.Scale = "Variable";
  if (column.logicalName === table.primaryIdAttribute) attributes.Nullable = "false";
  return element("Property", attributes);
}

/**
 * Dataverse writes `Nullable="false"` on every single-valued navigation property (a lookup that may be empty
 * too); its `Partner`, the collection-valued property on the target, is left out as this document has none.
 */
function navigationProperty({ name, column, target }: NavigationProperty): XmlNode {
  return element("NavigationProperty", { Name: name, Type: qualified(target.logicalName), Nullable: "false" }, [
    element("ReferentialConstraint", { Property: webApiPropertyName(column), ReferencedProperty: target.primaryIdAttribute }),
  ]);
}

function entitySet(catalog: TableCatalog, table: TableDefinition): XmlNode {
  return element(
    "EntitySet",
    { Name: table.entitySetName, EntityType: fullyQualified(table.logicalName) },
    navigationProperties(catalog, table).map(({ name, target }) => element("NavigationPropertyBinding", { Path: name, Target: target.entitySetName })),
  );
}

/** `WhoAmI()` and its response type, which the Web API's WhoAmI answer names in its `@odata.context`. */
function whoAmIDefinitions(): XmlNode[] {
  const guid = (name: string) => element("Property", { Name: name, Type: "Edm.Guid", Nullable: "false" });
  return [
    element("ComplexType", { Name: "WhoAmIResponse" }, [guid("BusinessUnitId"), guid("UserId"), guid("OrganizationId")]),
    element("Function", { Name: "WhoAmI" }, [element("ReturnType", { Type: qualified("WhoAmIResponse"), Nullable: "false" })]),
  ];
}
