import type { RemoteExecutionContext } from "../model";
import { MESSAGE_MAX_SIZE_EXCEEDED_PROPERTY } from "../serialization";
import { UserClaim } from "./endpoint-options";

/** Microsoft.Xrm.Sdk.ClaimTypes: the application property keys of a posted message (§E.2). */
export const CLAIM_KEY_ROOT = "http://schemas.microsoft.com/xrm/2011/Claims/";
export const ClaimKeys = {
  organization: `${CLAIM_KEY_ROOT}Organization`,
  user: `${CLAIM_KEY_ROOT}User`,
  initiatingUser: `${CLAIM_KEY_ROOT}InitiatingUser`,
  entityLogicalName: `${CLAIM_KEY_ROOT}EntityLogicalName`,
  requestName: `${CLAIM_KEY_ROOT}RequestName`,
  initiatingUserAgent: `${CLAIM_KEY_ROOT}InitiatingUserAgent`,
} as const;

export type ClaimProperties = Record<string, string | boolean>;

/**
 * The application properties Dataverse adds to a Service Bus message (§E.2): organization, table and
 * message always; with `userclaim` 2 (UserId) the calling and initiating user ids; with 3 (UserInfo) also the
 * initiating user agent when known; `MessageMaxSizeExceeded` = true when the body was truncated.
 */
export function claimProperties(context: RemoteExecutionContext, userclaim: UserClaim, truncated: boolean): ClaimProperties {
  const properties: ClaimProperties = {
    [ClaimKeys.organization]: context.organizationName,
    [ClaimKeys.entityLogicalName]: context.primaryEntityName,
    [ClaimKeys.requestName]: context.messageName,
  };
  if (userclaim === UserClaim.UserId || userclaim === UserClaim.UserInfo) {
    properties[ClaimKeys.user] = context.userId;
    properties[ClaimKeys.initiatingUser] = context.initiatingUserId;
  }
  if (userclaim === UserClaim.UserInfo && context.initiatingUserAgent) {
    properties[ClaimKeys.initiatingUserAgent] = context.initiatingUserAgent;
  }
  if (truncated) properties[MESSAGE_MAX_SIZE_EXCEEDED_PROPERTY] = true;
  return properties;
}
