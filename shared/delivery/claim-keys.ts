/** Microsoft.Xrm.Sdk.ClaimTypes: the application property keys of a posted message (§E.2). No imports: listeners use it too. */
export const CLAIM_KEY_ROOT = "http://schemas.microsoft.com/xrm/2011/Claims/";

export const ClaimKeys = {
  organization: `${CLAIM_KEY_ROOT}Organization`,
  user: `${CLAIM_KEY_ROOT}User`,
  initiatingUser: `${CLAIM_KEY_ROOT}InitiatingUser`,
  entityLogicalName: `${CLAIM_KEY_ROOT}EntityLogicalName`,
  requestName: `${CLAIM_KEY_ROOT}RequestName`,
  initiatingUserAgent: `${CLAIM_KEY_ROOT}InitiatingUserAgent`,
} as const;

export type ClaimName = keyof typeof ClaimKeys;
