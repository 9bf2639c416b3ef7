/** Option values of the `serviceendpoint` table (reference §D); message formats are serialization's. */

export const EndpointContract = {
  OneWay: 1,
  Queue: 2,
  Rest: 3,
  TwoWay: 4,
  Topic: 5,
  PersistentQueue: 6,
  EventHub: 7,
  Webhook: 8,
  EventGrid: 9,
  ManagedDataLake: 10,
} as const;
export type EndpointContract = (typeof EndpointContract)[keyof typeof EndpointContract];

export { MessageFormat, CONTENT_TYPES } from "../serialization/format";

export const EndpointAuthType = {
  Acs: 1,
  SasKey: 2,
  SasToken: 3,
  WebhookKey: 4,
  HttpHeader: 5,
  HttpQueryString: 6,
  ConnectionString: 7,
  AccessKey: 8,
  /** No secret: the app's managed identity (Azure) or the app's own connection setting (locally). */
  ManagedIdentity: 9,
} as const;
export type EndpointAuthType = (typeof EndpointAuthType)[keyof typeof EndpointAuthType];

export const UserClaim = { None: 1, UserId: 2, UserInfo: 3 } as const;
export type UserClaim = (typeof UserClaim)[keyof typeof UserClaim];

export const CONTRACT_NAMES: Readonly<Record<EndpointContract, string>> = {
  1: "OneWay",
  2: "Queue",
  3: "Rest",
  4: "TwoWay",
  5: "Topic",
  6: "Queue (Persistent)",
  7: "Event Hub",
  8: "Webhook",
  9: "Event Grid",
  10: "Managed Data Lake",
};

/** Contracts that reach a URL over HTTP. */
export const HTTP_CONTRACTS: ReadonlySet<EndpointContract> = new Set([3, 8]);
