import { findColumn, recordToEntity, sdkFormattedValues, type StoredRecord, type TableDefinition } from "../dataservice";
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
  const set = new Set((record.setColumns ?? []).filter((name) => isNewReadable(table, name, target)));
  const system = SYSTEM_COLUMN_ORDER[message].filter((name) => set.has(name));
  const others = table.columns.map((column) => column.logicalName).filter((name) => set.has(name) && !system.includes(name));
  const written = recordToEntity(table, record);
  for (const name of [table.primaryIdAttribute, ...others, ...system]) {
    if (!target.attributes.has(name)) target.attributes.set(name, written.attributes.get(name) ?? null);
  }
  if (message === "Create") target.formattedValues = sdkFormattedValues(table, record.values, target.attributes.keys());
  return target;
}

/** A column of the table, not a write-only secret, that Target does not have yet. */
function isNewReadable(table: TableDefinition, name: string, target: Entity): boolean {
  const column = findColumn(table, name);
  return column !== undefined && !column.writeOnly && !target.attributes.has(name);
}
