import { createHash } from "node:crypto";
import type { ColumnDefinition, ColumnType, OptionDefinition } from "./columns";
import type { TableDefinition } from "./tables";

/**
 * Dataverse's metadata JSON (EntityMetadata / AttributeMetadata, essential subset) for our table
 * definitions, as `GET EntityDefinitions` returns it.
 */

const ATTRIBUTE_KINDS: Record<ColumnType, { odataType: string; attributeType: string; typeName: string }> = {
  String: { odataType: "StringAttributeMetadata", attributeType: "String", typeName: "StringType" },
  Memo: { odataType: "MemoAttributeMetadata", attributeType: "Memo", typeName: "MemoType" },
  Integer: { odataType: "IntegerAttributeMetadata", attributeType: "Integer", typeName: "IntegerType" },
  BigInt: { odataType: "BigIntAttributeMetadata", attributeType: "BigInt", typeName: "BigIntType" },
  Decimal: { odataType: "DecimalAttributeMetadata", attributeType: "Decimal", typeName: "DecimalType" },
  Double: { odataType: "DoubleAttributeMetadata", attributeType: "Double", typeName: "DoubleType" },
  Money: { odataType: "MoneyAttributeMetadata", attributeType: "Money", typeName: "MoneyType" },
  Boolean: { odataType: "BooleanAttributeMetadata", attributeType: "Boolean", typeName: "BooleanType" },
  DateTime: { odataType: "DateTimeAttributeMetadata", attributeType: "DateTime", typeName: "DateTimeType" },
  Lookup: { odataType: "LookupAttributeMetadata", attributeType: "Lookup", typeName: "LookupType" },
  Owner: { odataType: "LookupAttributeMetadata", attributeType: "Owner", typeName: "OwnerType" },
  Picklist: { odataType: "PicklistAttributeMetadata", attributeType: "Picklist", typeName: "PicklistType" },
  MultiSelectPicklist: { odataType: "MultiSelectPicklistAttributeMetadata", attributeType: "Virtual", typeName: "MultiSelectPicklistType" },
  State: { odataType: "StateAttributeMetadata", attributeType: "State", typeName: "StateType" },
  Status: { odataType: "StatusAttributeMetadata", attributeType: "Status", typeName: "StatusType" },
  Uniqueidentifier: { odataType: "UniqueIdentifierAttributeMetadata", attributeType: "Uniqueidentifier", typeName: "UniqueidentifierType" },
};

/** The column type an AttributeMetadata `@odata.type` (with or without `#`, namespace optional) stands for. */
export function columnTypeOfODataType(odataType: string): ColumnType | undefined {
  const name = odataType.replace(/^#/, "").replace(/^Microsoft\.Dynamics\.CRM\./, "");
  const match = (Object.entries(ATTRIBUTE_KINDS) as [ColumnType, (typeof ATTRIBUTE_KINDS)[ColumnType]][]).find(
    ([type, kind]) => kind.odataType === name && type !== "Owner",
  );
  return match?.[0];
}

/** A stable MetadataId derived from the names (the same in every organization and process). */
export function metadataId(...names: string[]): string {
  const hex = createHash("sha1").update(names.join("|")).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function label(text: string): Record<string, unknown> {
  const localized = { Label: text, LanguageCode: 1033 };
  return { LocalizedLabels: [localized], UserLocalizedLabel: localized };
}

export function toEntityMetadata(table: TableDefinition, withAttributes: boolean): Record<string, unknown> {
  const entity: Record<string, unknown> = {
    MetadataId: metadataId(table.logicalName),
    LogicalName: table.logicalName,
    SchemaName: table.schemaName,
    EntitySetName: table.entitySetName,
    LogicalCollectionName: table.entitySetName,
    PrimaryIdAttribute: table.primaryIdAttribute,
    PrimaryNameAttribute: table.primaryNameAttribute,
    OwnershipType: table.ownership,
    IsCustomEntity: table.isCustomEntity,
    DisplayName: label(table.displayName),
    DisplayCollectionName: label(table.displayCollectionName),
  };
  if (withAttributes) entity.Attributes = table.columns.map((column) => toAttributeMetadata(table, column));
  return entity;
}

export function toAttributeMetadata(table: TableDefinition, column: ColumnDefinition): Record<string, unknown> {
  const kind = ATTRIBUTE_KINDS[column.type];
  const attribute: Record<string, unknown> = {
    "@odata.type": `#Microsoft.Dynamics.CRM.${kind.odataType}`,
    MetadataId: metadataId(table.logicalName, column.logicalName),
    LogicalName: column.logicalName,
    SchemaName: column.schemaName,
    EntityLogicalName: table.logicalName,
    AttributeType: kind.attributeType,
    AttributeTypeName: { Value: kind.typeName },
    DisplayName: label(column.displayName),
    IsCustomAttribute: column.isCustom ?? false,
    IsPrimaryId: column.isPrimaryId ?? false,
    IsPrimaryName: column.isPrimaryName ?? false,
    IsValidForRead: !column.writeOnly,
    IsValidForCreate: !column.readOnly,
    IsValidForUpdate: !column.readOnly && !column.isPrimaryId,
  };
  if (column.maxLength !== undefined) attribute.MaxLength = column.maxLength;
  if (column.precision !== undefined) attribute.Precision = column.precision;
  if (column.minValue !== undefined) attribute.MinValue = column.minValue;
  if (column.maxValue !== undefined) attribute.MaxValue = column.maxValue;
  if (column.targets) attribute.Targets = column.targets;
  if (column.options) attribute.OptionSet = { OptionSetType: kind.attributeType === "Virtual" ? "Picklist" : kind.attributeType, Options: column.options.map(toOptionMetadata) };
  return attribute;
}

function toOptionMetadata(option: OptionDefinition): Record<string, unknown> {
  const metadata: Record<string, unknown> = { Value: option.value, Label: label(option.label) };
  if (option.state !== undefined) metadata.State = option.state;
  if (option.defaultStatus !== undefined) metadata.DefaultStatus = option.defaultStatus;
  return metadata;
}
