import { PipelineError } from "../../errors";
import type { TableDefinition } from "../metadata/tables";

/** Access rights on a table; Assign = changing a row's owner (prvAssignAccount). */
export type TableAccess = "Create" | "Read" | "Write" | "Delete" | "Assign";

export const ACT_ON_BEHALF_PRIVILEGE = "prvActOnBehalfOfAnotherUser";
export const CREATE_ENTITY_PRIVILEGE = "prvCreateEntity";

/** Dataverse's privilege name for an access right on a table, e.g. prvCreateAccount. */
export function tablePrivilegeName(access: TableAccess, table: TableDefinition): string {
  return `prv${access}${table.schemaName}`;
}

/** The privileges a set of roles grants: each role's text is a comma list of privilege names, or `*`. */
export class PrivilegeSet {
  private readonly all: boolean;
  private readonly names: Set<string>;

  constructor(roleTexts: readonly string[]) {
    const names = roleTexts.flatMap((text) => text.split(",")).map((name) => name.trim().toLowerCase()).filter(Boolean);
    this.all = names.includes("*");
    this.names = new Set(names);
  }

  has(privilege: string): boolean {
    return this.all || this.names.has(privilege.toLowerCase());
  }
}

export function missingPrivilege(userId: string, privilege: string): PipelineError {
  return new PipelineError("PrivilegeDenied", `Principal user (Id=${userId}, type=8) is missing ${privilege} privilege.`);
}
