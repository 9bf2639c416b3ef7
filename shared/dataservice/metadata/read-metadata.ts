import { PipelineError } from "../../errors";
import { isOptionType, type ColumnDefinition, type OptionDefinition } from "./columns";
import { ACTIVE_INACTIVE, defineTable, stateColumns } from "./define";
import { columnTypeOfODataType } from "./entity-metadata";
import { ENTITY_SET_NAME_PATTERN, RESERVED_ENTITY_SET_NAMES, type TableDefinition } from "./tables";

/** Reads the `POST EntityDefinitions` / `POST …/Attributes` bodies Dataverse accepts (essential subset). */

type Json = Record<string, unknown>;

const CUSTOM_SCHEMA_NAME = /^[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9]+(_[A-Za-z0-9]+)*$/;
const ENTITY_SET_NAME = new RegExp(`^${ENTITY_SET_NAME_PATTERN}$`);

function invalid(message: string, path: string): PipelineError {
  return new PipelineError("ValidationFailed", message, { path });
}

function asObject(value: unknown, path: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(`${path} must be an object.`, path);
  return value as Json;
}

/** The first localized label of a Label object (`{LocalizedLabels:[{Label,LanguageCode}]}`). */
function readLabel(value: unknown, fallback: string): string {
  const labels = (value as { LocalizedLabels?: { Label?: unknown }[] } | undefined)?.LocalizedLabels;
  const text = labels?.[0]?.Label;
  return typeof text === "string" && text !== "" ? text : fallback;
}

function readNames(body: Json, path: string): { schemaName: string; logicalName: string } {
  const schemaName = body.SchemaName;
  if (typeof schemaName !== "string" || !CUSTOM_SCHEMA_NAME.test(schemaName)) {
    throw invalid(`${path}.SchemaName must be a customization prefix, '_' and a name (e.g. new_BankAccount).`, `${path}.SchemaName`);
  }
  const logicalName = typeof body.LogicalName === "string" ? body.LogicalName : schemaName.toLowerCase();
  if (logicalName !== schemaName.toLowerCase()) throw invalid(`${path}.LogicalName must be the lower-case SchemaName.`, `${path}.LogicalName`);
  return { schemaName, logicalName };
}

export function readAttributeMetadata(value: unknown, path = "Attribute"): ColumnDefinition {
  const body = asObject(value, path);
  const odataType = typeof body["@odata.type"] === "string" ? body["@odata.type"] : "";
  const type = columnTypeOfODataType(odataType);
  if (!type) throw invalid(`${path}: '@odata.type' ${JSON.stringify(odataType)} is not a supported attribute type.`, `${path}.@odata.type`);
  const { schemaName, logicalName } = readNames(body, path);
  const column: ColumnDefinition = { logicalName, schemaName, displayName: readLabel(body.DisplayName, schemaName), type, isCustom: true };
  if (body.IsPrimaryName === true) column.isPrimaryName = true;
  if (type === "String" || type === "Memo") column.maxLength = readNumber(body.MaxLength, `${path}.MaxLength`, SUPPORTED_RANGES[type].maxLength);
  if (type === "Decimal" || type === "Money") column.precision = readNumber(body.Precision, `${path}.Precision`, SUPPORTED_RANGES[type].precision);
  if (typeof body.MinValue === "number") column.minValue = body.MinValue;
  if (typeof body.MaxValue === "number") column.maxValue = body.MaxValue;
  if (type === "Integer") {
    column.minValue ??= -2147483648;
    column.maxValue ??= 2147483647;
  }
  if (type === "Lookup") {
    const targets = body.Targets;
    if (!Array.isArray(targets) || targets.length === 0 || !targets.every((target) => typeof target === "string")) {
      throw invalid(`${path}.Targets must list the tables the lookup may point at.`, `${path}.Targets`);
    }
    column.targets = targets as string[];
  }
  if (isOptionType(type)) column.options = readOptions(body.OptionSet, `${path}.OptionSet`);
  return column;
}

/** Default and supported range of a column size (the SDK's Min/MaxSupportedLength and …Precision constants). */
interface SupportedRange {
  fallback: number;
  min: number;
  max: number;
}

const SUPPORTED_RANGES = {
  String: { maxLength: { fallback: 100, min: 1, max: 4000 } },
  Memo: { maxLength: { fallback: 2000, min: 1, max: 1048576 } },
  Decimal: { precision: { fallback: 2, min: 0, max: 10 } },
  Money: { precision: { fallback: 2, min: 0, max: 4 } },
} satisfies Record<string, Record<string, SupportedRange>>;

function readNumber(value: unknown, path: string, range: SupportedRange): number {
  if (value === undefined || value === null) return range.fallback;
  if (!Number.isInteger(value) || (value as number) < range.min || (value as number) > range.max) {
    throw invalid(`${path} must be an integer from ${range.min} to ${range.max} (found ${JSON.stringify(value)}).`, path);
  }
  return value as number;
}

function readOptions(value: unknown, path: string): OptionDefinition[] {
  const options = asObject(value, path).Options;
  if (!Array.isArray(options) || options.length === 0) throw invalid(`${path}.Options must list the options.`, `${path}.Options`);
  return options.map((option, index) => {
    const item = asObject(option, `${path}.Options[${index}]`);
    if (!Number.isInteger(item.Value)) throw invalid(`${path}.Options[${index}].Value must be an integer.`, `${path}.Options[${index}].Value`);
    return { value: item.Value as number, label: readLabel(item.Label, String(item.Value)) };
  });
}

export function readEntityMetadata(value: unknown): TableDefinition {
  const body = asObject(value, "EntityMetadata");
  const { schemaName, logicalName } = readNames(body, "EntityMetadata");
  const attributes = Array.isArray(body.Attributes) ? body.Attributes : [];
  const columns = attributes.map((attribute, index) => readAttributeMetadata(attribute, `Attributes[${index}]`));
  const primary = columns.filter((column) => column.isPrimaryName);
  if (primary.length !== 1 || primary[0].type !== "String") {
    throw invalid("EntityMetadata.Attributes must contain exactly one String attribute with IsPrimaryName true.", "Attributes");
  }
  const ownership = readOwnership(body.OwnershipType);
  const entitySetName = readEntitySetName(body.EntitySetName, logicalName);
  const displayName = readLabel(body.DisplayName, schemaName);
  return defineTable(
    {
      logicalName,
      schemaName,
      entitySetName,
      displayName,
      displayCollectionName: readLabel(body.DisplayCollectionName, displayName),
      primaryNameAttribute: primary[0].logicalName,
      ownership,
      isCustomEntity: true,
    },
    [...columns, ...stateColumns(ACTIVE_INACTIVE)],
  );
}

const OWNERSHIP_TYPES: readonly TableDefinition["ownership"][] = ["UserOwned", "OrganizationOwned"];

/** OwnershipType: UserOwned when absent; the other OwnershipTypes (TeamOwned, BusinessOwned, …) are not supported. */
function readOwnership(value: unknown): TableDefinition["ownership"] {
  if (value === undefined || value === null) return "UserOwned";
  const ownership = OWNERSHIP_TYPES.find((type) => type === value);
  if (!ownership) throw invalid(`EntityMetadata.OwnershipType must be ${OWNERSHIP_TYPES.map((type) => `'${type}'`).join(" or ")} (found ${JSON.stringify(value)}).`, "EntityMetadata.OwnershipType");
  return ownership;
}

/**
 * EntitySetName: the plural of the logical name when absent. A name the Web API could not route, or that is not
 * an OData identifier (a space, `<`, an empty name), would put an EntitySet in `$metadata` that OData clients refuse.
 */
function readEntitySetName(value: unknown, logicalName: string): string {
  if (value === undefined || value === null) return pluralize(logicalName);
  if (typeof value !== "string" || !ENTITY_SET_NAME.test(value) || RESERVED_ENTITY_SET_NAMES.has(value)) {
    const reserved = [...RESERVED_ENTITY_SET_NAMES].map((name) => `'${name}'`).join(", ");
    throw invalid(
      `EntityMetadata.EntitySetName must be letters, digits and '_', not starting with a digit, and none of ${reserved} (found ${JSON.stringify(value)}).`,
      "EntityMetadata.EntitySetName",
    );
  }
  return value;
}

function pluralize(name: string): string {
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}
