/** The column types of a table definition (Dataverse AttributeTypeCode, essential subset). */
export type ColumnType =
  | "String"
  | "Memo"
  | "Integer"
  | "BigInt"
  | "Decimal"
  | "Double"
  | "Money"
  | "Boolean"
  | "DateTime"
  | "Lookup"
  | "Owner"
  | "Picklist"
  | "MultiSelectPicklist"
  | "State"
  | "Status"
  | "Uniqueidentifier";

export interface OptionDefinition {
  value: number;
  label: string;
  /** For Status columns: the state value this status belongs to. */
  state?: number;
  /** For State columns: the default status of this state. */
  defaultStatus?: number;
}

export interface ColumnDefinition {
  logicalName: string;
  schemaName: string;
  displayName: string;
  type: ColumnType;
  /** String and Memo. */
  maxLength?: number;
  /** Decimal and Money: digits after the decimal point. */
  precision?: number;
  minValue?: number;
  maxValue?: number;
  /** Lookup and Owner: the tables a value may point at. */
  targets?: string[];
  /**
   * Lookup: the targets whose relationship to this table cascades deletes (Dataverse's CascadeConfiguration
   * Delete = Cascade): deleting such a row deletes, in the same commit, the rows that point at it through this column.
   */
  cascadeDelete?: string[];
  /** Picklist, MultiSelectPicklist, State and Status. */
  options?: OptionDefinition[];
  /** Set by the service only (createdon, createdby…); a client that sets it gets a 400. */
  readOnly?: boolean;
  /** Write-only secrets (IsValidForRead false): accepted on write, never returned. */
  writeOnly?: boolean;
  /** Dataverse's RequiredLevel SystemRequired (statecode, statuscode, ownerid…): the row always has a value, so a write of null is refused. */
  systemRequired?: boolean;
  /**
   * Computed on write from these columns of the row (their non-empty texts joined by a space) when one of
   * them is written and the column itself is not, as contact fullname from firstname and lastname.
   */
  composedOf?: string[];
  isPrimaryId?: boolean;
  isPrimaryName?: boolean;
  isCustom?: boolean;
}

/** True for the column types whose Web API value is `_name_value` and that are set with `name@odata.bind`. */
export function isLookupType(type: ColumnType): boolean {
  return type === "Lookup" || type === "Owner";
}

export function isOptionType(type: ColumnType): boolean {
  return type === "Picklist" || type === "MultiSelectPicklist" || type === "State" || type === "Status";
}
