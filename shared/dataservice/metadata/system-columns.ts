import { isLookupValue, type ColumnValues, type LookupValue } from "../store/records";
import type { TableDefinition } from "./tables";

/** Who writes a row, and when (DateTime column text). */
export interface RowWriter {
  userId: string;
  at: string;
  /** The organization's users, to find an owner's business unit (owningbusinessunit); none leaves it alone. */
  users?: ReadonlyMap<string, { values: ColumnValues }>;
  /** The user acting for `userId` when that is an impersonated user (Dataverse's delegate); none: no delegate. */
  onBehalfOf?: string;
}

/** A create, or an update writing `written` (its columns only: a new owner moves the owning business unit). */
export type RowChange = { kind: "create" } | { kind: "update"; written: ColumnValues };

/**
 * Sets the system columns the service owns on a row about to be written: modifiedon/modifiedby and
 * modifiedonbehalfby (the delegate, null without one) always; on a create createdon/createdby
 * (createdonbehalfby only with a delegate, as Dataverse's created Target shows) and, on a user-owned
 * table, ownerid (the writer unless given); and owningbusinessunit from the owner's business unit when the
 * owner is set. Every writer of rows stamps through here, so the columns mean the same whoever writes.
 */
export function stampSystemColumns(table: TableDefinition, row: ColumnValues, writer: RowWriter, change: RowChange): ColumnValues {
  const user: LookupValue = { id: writer.userId, logicalName: "systemuser" };
  const delegate: LookupValue | null = writer.onBehalfOf ? { id: writer.onBehalfOf, logicalName: "systemuser" } : null;
  if (change.kind === "create") {
    row.createdon = writer.at;
    row.createdby = user;
    if (delegate) row.createdonbehalfby = delegate;
  }
  row.modifiedon = writer.at;
  row.modifiedby = user;
  row.modifiedonbehalfby = delegate;
  if (table.ownership !== "UserOwned") return row;
  if (change.kind === "create") row.ownerid ??= user;
  const ownerSet = change.kind === "create" || change.written.ownerid !== undefined;
  if (writer.users && ownerSet && isLookupValue(row.ownerid)) {
    const unit = writer.users.get(row.ownerid.id)?.values.businessunitid;
    row.owningbusinessunit = isLookupValue(unit) ? unit : null;
  }
  return row;
}
