import { DATAVERSE_SPECIFIC_CODES, PipelineError } from "../../errors";
import { isLookupType, type ColumnDefinition } from "./columns";
import type { TableDefinition } from "./tables";
import { isLookupValue, type ColumnValue } from "../store/records";

/** A name that is no column of the table (OData's message and code). */
export function unknownPropertyError(table: TableDefinition, name: string): PipelineError {
  return new PipelineError("ValidationFailed", `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${table.logicalName}'.`, {
    path: name,
    dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
  });
}

/** A value that breaks its column's rules: 400 naming the column, Dataverse's attribute validation code. */
export function columnValidationError(table: TableDefinition, column: ColumnDefinition, message: string): PipelineError {
  return new PipelineError("ValidationFailed", `A validation error occurred. ${message}`, {
    path: column.logicalName,
    dataverseCode: DATAVERSE_SPECIFIC_CODES.AttributeValidation,
  });
}

/**
 * Checks a typed value against its column definition (length, range, precision, options, targets); null
 * only against SystemRequired. Dataverse's code for clearing a required column is not in the reference,
 * so the refusal carries ValidationFailed's default (0x80040203).
 */
export function validateColumnValue(table: TableDefinition, column: ColumnDefinition, value: ColumnValue | null): void {
  const where = `'${column.logicalName}' of the '${table.logicalName}' entity`;
  if (value === null) {
    if (!column.systemRequired) return;
    throw new PipelineError("ValidationFailed", `The ${where} is required (SystemRequired): it cannot be set to null.`, { path: column.logicalName });
  }
  switch (column.type) {
    case "String":
    case "Memo":
      if (column.maxLength !== undefined && String(value).length > column.maxLength) {
        throw columnValidationError(table, column, `The length of the ${where} exceeded the maximum allowed length of '${column.maxLength}'.`);
      }
      return;
    case "Integer":
    case "BigInt":
    case "Double":
      checkRange(table, column, Number(value), where);
      return;
    case "Decimal":
    case "Money": {
      checkRange(table, column, Number(value), where);
      const scale = String(value).split(".")[1]?.length ?? 0;
      if (column.precision !== undefined && scale > column.precision) {
        throw columnValidationError(table, column, `The value of ${where} has more than ${column.precision} decimal places.`);
      }
      return;
    }
    case "Picklist":
    case "State":
    case "Status":
      checkOption(table, column, Number(value), where);
      return;
    case "MultiSelectPicklist":
      for (const option of value as number[]) checkOption(table, column, option, where);
      return;
    case "Lookup":
    case "Owner":
      if (isLookupValue(value) && column.targets && !column.targets.includes(value.logicalName)) {
        throw columnValidationError(table, column, `${where} cannot refer to a '${value.logicalName}' record; allowed: ${column.targets.join(", ")}.`);
      }
      return;
    default:
      return;
  }
}

function checkRange(table: TableDefinition, column: ColumnDefinition, value: number, where: string): void {
  if ((column.minValue !== undefined && value < column.minValue) || (column.maxValue !== undefined && value > column.maxValue)) {
    throw columnValidationError(table, column, `The value ${value} of ${where} is outside the valid range (${column.minValue ?? ""}..${column.maxValue ?? ""}).`);
  }
}

function checkOption(table: TableDefinition, column: ColumnDefinition, value: number, where: string): void {
  if (!column.options?.some((option) => option.value === value)) {
    const accepted = (column.options ?? []).map((option) => option.value).join(",");
    throw columnValidationError(table, column, `The value ${value} of ${where} is outside the valid range. Accepted Values: ${accepted}`);
  }
}

/** A column as a query names it: its logical name, or `_name_value` for a lookup. */
export function resolveColumnReference(table: TableDefinition, name: string): ColumnDefinition {
  const lookup = /^_(.+)_value$/.exec(name);
  const column = lookup
    ? table.columns.find((candidate) => candidate.logicalName === lookup[1] && isLookupType(candidate.type))
    : table.columns.find((candidate) => candidate.logicalName === name && !isLookupType(candidate.type));
  if (!column || column.writeOnly) throw unknownPropertyError(table, name);
  return column;
}

/**
 * The single-valued navigation property through which a lookup refers to a row of `target`: the lookup's
 * name, or for a lookup to several tables (a Customer lookup, a step's `eventhandler`) `{name}_{target}`
 * (`parentcustomerid_account`). An Owner lookup is one navigation property, `ownerid`.
 */
export function navigationPropertyName(column: ColumnDefinition, target: string): string {
  return column.type !== "Owner" && (column.targets?.length ?? 0) > 1 ? `${column.logicalName}_${target}` : column.logicalName;
}

/** The Web API property name of a column: `_name_value` for lookups. */
export function webApiPropertyName(column: ColumnDefinition): string {
  return isLookupType(column.type) ? `_${column.logicalName}_value` : column.logicalName;
}
