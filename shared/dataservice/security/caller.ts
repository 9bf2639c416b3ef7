import { DATAVERSE_SPECIFIC_CODES, PipelineError } from "../../errors";
import { isGuid } from "../../model";
import type { TableDefinition } from "../metadata/tables";
import type { OrganizationContext } from "../organizations/organization-context";
import type { StoredRecord } from "../store/records";
import { isLookupValue } from "../store/records";
import { ACT_ON_BEHALF_PRIVILEGE, PrivilegeSet, missingPrivilege, tablePrivilegeName, type TableAccess } from "./privileges";

/** The request headers that identify the caller. */
export const CALLER_HEADERS = {
  /** Set by App Service Authentication in Azure: the caller's Entra object id. */
  principalId: "x-ms-client-principal-id",
  /** Dataverse impersonation by systemuserid. */
  callerId: "MSCRMCallerID",
  /** Dataverse impersonation by Entra object id. */
  callerObjectId: "CallerObjectId",
} as const;

/** Who a request acts as: `userId` (maybe impersonated) and the authenticated `initiatingUserId`. */
export interface Caller {
  userId: string;
  initiatingUserId: string;
  businessUnitId: string;
  azureActiveDirectoryObjectId?: string;
  privileges: PrivilegeSet;
}

/** The record messages, and the access on its table each needs. */
const MESSAGE_ACCESS = { Create: "Create", Retrieve: "Read", RetrieveMultiple: "Read", Update: "Write", Delete: "Delete" } as const satisfies Record<string, TableAccess>;
export type RecordMessage = keyof typeof MESSAGE_ACCESS;

/**
 * The privilege check of a record message (403 0x80040220 when the caller's roles do not grant it): the
 * message's access on the table, and Assign too when an update writes the owner. Every path to records
 * runs it once, where Dataverse does (after pre-validation, before pre-operation): the event pipeline for
 * the Web API and plug-ins' organization service, `authorizedRecordOperations` for a data service alone.
 */
export function authorizeRecordMessage(caller: Caller, message: RecordMessage, table: TableDefinition, writesOwner = false): void {
  const required: TableAccess[] = writesOwner && message === "Update" ? ["Write", "Assign"] : [MESSAGE_ACCESS[message]];
  for (const access of required) {
    const privilege = tablePrivilegeName(access, table);
    if (!caller.privileges.has(privilege)) throw missingPrivilege(caller.userId, privilege);
  }
}

/**
 * Resolves the caller from the request headers: the principal header matched to
 * systemuser.azureactivedirectoryobjectid; without it, the administrator when anonymous calls are allowed
 * (local runtime), else 401. MSCRMCallerID/CallerObjectId impersonate another user when the
 * authenticated user holds prvActOnBehalfOfAnotherUser.
 */
export function resolveCaller(context: OrganizationContext, header: (name: string) => string | null, allowAnonymousAsAdmin: boolean): Caller {
  const principal = header(CALLER_HEADERS.principalId);
  let initiating: StoredRecord | undefined;
  if (principal) {
    initiating = findByObjectId(context, principal);
    if (!initiating) throw new PipelineError("Unauthenticated", `The user with object id ${principal} is not a member of organization '${context.name}'.`);
  } else if (allowAnonymousAsAdmin) {
    initiating = context.users.get(context.administratorId);
  }
  if (!initiating) throw new PipelineError("Unauthenticated", "The request is not authenticated (no x-ms-client-principal-id).");
  if (initiating.values.isdisabled === true) throw new PipelineError("Unauthenticated", `The user ${initiating.id} is disabled.`);

  const impersonated = impersonatedUser(context, header);
  if (impersonated && impersonated.id !== initiating.id && !privilegesOf(context, initiating).has(ACT_ON_BEHALF_PRIVILEGE)) {
    throw missingPrivilege(initiating.id, ACT_ON_BEHALF_PRIVILEGE);
  }
  return callerForUser(context, (impersonated ?? initiating).id, initiating.id);
}

/**
 * A caller acting as `userId` (an impersonated user, a plug-in step's user), started by `initiatingUserId`.
 * @throws PipelineError NotFound when the user is not in the organization; UserDisabled (400) when it is disabled.
 */
export function callerForUser(context: OrganizationContext, userId: string, initiatingUserId: string): Caller {
  const user = context.users.get(userId);
  if (!user) throw new PipelineError("NotFound", `systemuser With Id = ${userId} Does Not Exist`);
  if (user.values.isdisabled === true) throw userDisabled(context, user.id);
  const businessUnit = user.values.businessunitid;
  return {
    userId: user.id,
    initiatingUserId,
    businessUnitId: isLookupValue(businessUnit) ? businessUnit.id : "",
    azureActiveDirectoryObjectId: stringOrUndefined(user.values.azureactivedirectoryobjectid),
    privileges: privilegesOf(context, user),
  };
}

/** Dataverse refuses to act as a disabled user (an impersonated one included): 400 0x80040225. */
function userDisabled(context: OrganizationContext, userId: string): PipelineError {
  return new PipelineError(
    "ValidationFailed",
    `The user with SystemUserId=${userId} in OrganizationContext=${context.organizationId} is disabled. Disabled users cannot access the system. Consider enabling this user.`,
    { dataverseCode: DATAVERSE_SPECIFIC_CODES.UserDisabled },
  );
}

function impersonatedUser(context: OrganizationContext, header: (name: string) => string | null): StoredRecord | undefined {
  const callerId = header(CALLER_HEADERS.callerId);
  const callerObjectId = header(CALLER_HEADERS.callerObjectId);
  if (callerId) {
    const user = isGuid(callerId) ? context.users.get(callerId.toLowerCase()) : undefined;
    if (!user) throw new PipelineError("NotFound", `systemuser With Id = ${callerId} Does Not Exist`);
    return user;
  }
  if (callerObjectId) {
    const user = findByObjectId(context, callerObjectId);
    if (!user) throw new PipelineError("NotFound", `No systemuser has azureactivedirectoryobjectid ${callerObjectId}.`);
    return user;
  }
  return undefined;
}

function findByObjectId(context: OrganizationContext, objectId: string): StoredRecord | undefined {
  const wanted = objectId.toLowerCase();
  return [...context.users.values()].find((user) => String(user.values.azureactivedirectoryobjectid ?? "").toLowerCase() === wanted);
}

function privilegesOf(context: OrganizationContext, user: StoredRecord): PrivilegeSet {
  return new PrivilegeSet(context.userPrivileges.get(user.id) ?? []);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
