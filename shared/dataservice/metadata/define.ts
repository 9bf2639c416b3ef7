import type { ColumnDefinition, ColumnType, OptionDefinition } from "./columns";
import type { TableDefinition } from "./tables";

/** Compact builders for table definitions: the built-in tables and custom tables use the same shape. */

type ColumnExtras = Partial<Omit<ColumnDefinition, "logicalName" | "type">>;

function column(logicalName: string, type: ColumnType, extras: ColumnExtras = {}): ColumnDefinition {
  return {
    logicalName,
    schemaName: extras.schemaName ?? toSchemaName(logicalName),
    displayName: extras.displayName ?? toSchemaName(logicalName),
    type,
    ...extras,
  };
}

export function toSchemaName(logicalName: string): string {
  return logicalName.charAt(0).toUpperCase() + logicalName.slice(1);
}

export const col = {
  string: (name: string, maxLength: number, extras?: ColumnExtras) => column(name, "String", { maxLength, ...extras }),
  memo: (name: string, maxLength: number, extras?: ColumnExtras) => column(name, "Memo", { maxLength, ...extras }),
  integer: (name: string, extras?: ColumnExtras) =>
    column(name, "Integer", { minValue: -2147483648, maxValue: 2147483647, ...extras }),
  bigint: (name: string, extras?: ColumnExtras) => column(name, "BigInt", extras),
  decimal: (name: string, precision: number, extras?: ColumnExtras) => column(name, "Decimal", { precision, ...extras }),
  double: (name: string, extras?: ColumnExtras) => column(name, "Double", extras),
  money: (name: string, extras?: ColumnExtras) => column(name, "Money", { precision: 4, ...extras }),
  boolean: (name: string, extras?: ColumnExtras) => column(name, "Boolean", extras),
  dateTime: (name: string, extras?: ColumnExtras) => column(name, "DateTime", extras),
  guid: (name: string, extras?: ColumnExtras) => column(name, "Uniqueidentifier", extras),
  lookup: (name: string, targets: string[], extras?: ColumnExtras) => column(name, "Lookup", { targets, ...extras }),
  picklist: (name: string, options: Record<number, string>, extras?: ColumnExtras) =>
    column(name, "Picklist", { options: toOptions(options), ...extras }),
  multiSelect: (name: string, options: Record<number, string>, extras?: ColumnExtras) =>
    column(name, "MultiSelectPicklist", { options: toOptions(options), ...extras }),
};

function toOptions(options: Record<number, string>): OptionDefinition[] {
  return Object.entries(options).map(([value, label]) => ({ value: Number(value), label }));
}

export interface StateModel {
  /** state value → [label, default status value] */
  states: Record<number, [string, number]>;
  /** status value → [label, state value] */
  statuses: Record<number, [string, number]>;
}

/** The statecode/statuscode pair of a table with the given state model. */
export function stateColumns(model: StateModel): ColumnDefinition[] {
  const stateOptions = Object.entries(model.states).map(([value, [label, defaultStatus]]) => ({
    value: Number(value),
    label,
    defaultStatus,
  }));
  const statusOptions = Object.entries(model.statuses).map(([value, [label, state]]) => ({ value: Number(value), label, state }));
  return [
    column("statecode", "State", { schemaName: "StateCode", displayName: "Status", options: stateOptions, systemRequired: true }),
    column("statuscode", "Status", { schemaName: "StatusCode", displayName: "Status Reason", options: statusOptions, systemRequired: true }),
  ];
}

export const ACTIVE_INACTIVE: StateModel = {
  states: { 0: ["Active", 1], 1: ["Inactive", 2] },
  statuses: { 1: ["Active", 0], 2: ["Inactive", 1] },
};

export interface TableSpec {
  logicalName: string;
  entitySetName: string;
  displayName: string;
  displayCollectionName?: string;
  schemaName?: string;
  primaryNameAttribute: string;
  ownership: TableDefinition["ownership"];
  isCustomEntity?: boolean;
}

/** A table with its primary id column and the system columns every Dataverse table has. */
export function defineTable(spec: TableSpec, columns: ColumnDefinition[]): TableDefinition {
  const primaryIdAttribute = `${spec.logicalName}id`;
  const system: ColumnDefinition[] = [
    column(primaryIdAttribute, "Uniqueidentifier", { isPrimaryId: true }),
    column("createdon", "DateTime", { readOnly: true, schemaName: "CreatedOn", displayName: "Created On" }),
    column("modifiedon", "DateTime", { readOnly: true, schemaName: "ModifiedOn", displayName: "Modified On" }),
    column("createdby", "Lookup", { targets: ["systemuser"], readOnly: true, schemaName: "CreatedBy", displayName: "Created By" }),
    column("modifiedby", "Lookup", { targets: ["systemuser"], readOnly: true, schemaName: "ModifiedBy", displayName: "Modified By" }),
    column("createdonbehalfby", "Lookup", { targets: ["systemuser"], readOnly: true, schemaName: "CreatedOnBehalfBy", displayName: "Created By (Delegate)" }),
    column("modifiedonbehalfby", "Lookup", { targets: ["systemuser"], readOnly: true, schemaName: "ModifiedOnBehalfBy", displayName: "Modified By (Delegate)" }),
  ];
  if (spec.ownership === "UserOwned") {
    system.push(
      column("ownerid", "Owner", { targets: ["systemuser"], schemaName: "OwnerId", displayName: "Owner", systemRequired: true }),
      column("owningbusinessunit", "Lookup", {
        targets: ["businessunit"],
        readOnly: true,
        schemaName: "OwningBusinessUnit",
        displayName: "Owning Business Unit",
      }),
    );
  }
  const marked = columns.map((c) => (c.logicalName === spec.primaryNameAttribute ? { ...c, isPrimaryName: true } : c));
  return {
    logicalName: spec.logicalName,
    schemaName: spec.schemaName ?? toSchemaName(spec.logicalName),
    entitySetName: spec.entitySetName,
    displayName: spec.displayName,
    displayCollectionName: spec.displayCollectionName ?? spec.entitySetName,
    primaryIdAttribute,
    primaryNameAttribute: spec.primaryNameAttribute,
    ownership: spec.ownership,
    isCustomEntity: spec.isCustomEntity ?? false,
    columns: [...system, ...marked],
  };
}
