import type { RemoteExecutionContext } from "../model";
import { MESSAGE_MAX_SIZE_EXCEEDED_PROPERTY } from "../serialization";
import { ClaimKeys } from "./claim-keys";
import { UserClaim } from "./endpoint-options";

export { CLAIM_KEY_ROOT, ClaimKeys, type ClaimName } from "./claim-keys";

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
