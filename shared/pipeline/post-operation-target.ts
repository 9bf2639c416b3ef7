import { sdkFormattedValues, toSdkValue, type StoredRecord, type TableDefinition } from "../dataservice";
import type { ColumnDefinition } from "../dataservice/metadata/columns";
import { Entity } from "../model";

/**
 * The system columns a main operation sets, in the order Dataverse's post-operation Target lists them
 * (fixtures: an Update's `…, modifiedon, modifiedby, modifiedonbehalfby`; a Create's `owningbusinessunit,
 * modifiedonbehalfby … createdby … ownerid … modifiedon … modifiedby … createdon`).
 */
const SYSTEM_COLUMN_ORDER = {
  Create: ["owningbusinessunit", "modifiedonbehalfby", "createdby", "createdonbehalfby", "ownerid", "modifiedon", "modifiedby", "createdon"],
  Update: ["owningbusinessunit", "modifiedon", "modifiedby", "modifiedonbehalfby"],
};

/**
 * Target as stage 40 and asynchronous steps see it after a Create or Update (§A, fixtures): the request's
 * columns as the steps of stages 10 and 20 left them, then the primary id, then what the operation itself
 * set: defaults and derived columns (statecode, statuscode, fullname…) in the table's order, then the system
 * columns. A Create's Target also carries FormattedValues (option labels, dates; lookups have no name
 * there), an Update's none, as in Dataverse's payloads.
 */
export function postOperationTarget(table: TableDefinition, message: "Create" | "Update", requestTarget: Entity, record: StoredRecord): Entity {
  const target = new Entity(table.logicalName, record.id);
  target.keyAttributes = new Map(requestTarget.keyAttributes);
  for (const [name, value] of requestTarget.attributes) target.attributes.set(name, value);
  const setColumns = new Set(record.setColumns);
  const plan = columnPlan(table, message);
  const added = (column: ColumnDefinition | undefined): column is ColumnDefinition => column !== undefined && !target.attributes.has(column.logicalName);
  const ordered = [
    ...(added(plan.primaryId) ? [plan.primaryId] : []),
    ...plan.others.filter((column) => setColumns.has(column.logicalName) && added(column)),
    ...plan.system.filter((column) => setColumns.has(column.logicalName) && added(column)),
  ];
  for (const column of ordered) {
    const value = record.values[column.logicalName];
    target.attributes.set(column.logicalName, value === null || value === undefined ? null : toSdkValue(column, value));
  }
  if (message === "Create") target.formattedValues = sdkFormattedValues(table, record.values, target.attributes.keys());
  return target;
}

interface ColumnPlan {
  primaryId: ColumnDefinition | undefined;
  /** The readable columns a main operation may set, in the table's order, but the system columns. */
  others: ColumnDefinition[];
  /** The system columns, in the order of SYSTEM_COLUMN_ORDER. */
  system: ColumnDefinition[];
}

/** Per table definition (a new one when metadata changes) and message: this runs on every Create and Update that has steps. */
const plans = new WeakMap<TableDefinition, Record<string, ColumnPlan>>();

function columnPlan(table: TableDefinition, message: "Create" | "Update"): ColumnPlan {
  let byMessage = plans.get(table);
  if (!byMessage) plans.set(table, (byMessage = {}));
  if (byMessage[message]) return byMessage[message];
  const systemOrder: readonly string[] = SYSTEM_COLUMN_ORDER[message];
  const readable = table.columns.filter((column) => !column.writeOnly);
  const plan: ColumnPlan = {
    primaryId: readable.find((column) => column.logicalName === table.primaryIdAttribute),
    others: readable.filter((column) => column.logicalName !== table.primaryIdAttribute && !systemOrder.includes(column.logicalName)),
    system: systemOrder.flatMap((name) => readable.filter((column) => column.logicalName === name)),
  };
  byMessage[message] = plan;
  return plan;
}
