import { z } from "zod";
import { PipelineError } from "../errors";
import { compileRetryPolicy, type CompiledRetryPolicy, type RetryPolicy } from "../retry";
import { parseAuthValue, type HttpAuth } from "./auth-value";
import {
  CONTRACT_NAMES,
  EndpointAuthType,
  EndpointContract,
  HTTP_CONTRACTS,
  UserClaim,
} from "./endpoint-options";
import { MessageFormat } from "../serialization/format";

/**
 * A `serviceendpoint` registration, by Dataverse's column names (§D). Besides Dataverse's columns it has
 * `connectionstring` (auth type 7), `signingsecret` (the webhook signature key, see `signature.ts`) and
 * `retrypolicy` (JSON of a partial RetryPolicy overriding the service-endpoint defaults).
 */
export interface ServiceEndpoint {
  serviceendpointid?: string;
  name: string;
  description?: string;
  contract: EndpointContract;
  messageformat: MessageFormat;
  authtype: EndpointAuthType;
  userclaim: UserClaim;
  solutionnamespace?: string;
  namespaceaddress?: string;
  path?: string;
  url?: string;
  saskeyname?: string;
  saskey?: string;
  sastoken?: string;
  authvalue?: string;
  connectionstring?: string;
  signingsecret?: string;
  retrypolicy?: string;
}

const optionOf = <T extends Record<string, number>>(options: T) => {
  const values = Object.values(options);
  return z
    .number()
    .int()
    .refine((value) => values.includes(value), { message: `must be one of ${values.join(", ")}` }) as unknown as z.ZodType<T[keyof T]>;
};
const text = (max: number) => z.string().max(max, { message: `must be at most ${max} characters` });
const optionalText = (max: number) => text(max).nullish().transform((value) => value || undefined);

const schema = z.object({
  serviceendpointid: z.string().nullish().transform((value) => value ?? undefined),
  name: text(256).min(1, { message: "is required" }),
  description: optionalText(2000),
  contract: optionOf(EndpointContract),
  messageformat: optionOf(MessageFormat).nullish().transform((value) => value ?? MessageFormat.BinaryXml),
  authtype: optionOf(EndpointAuthType),
  userclaim: optionOf(UserClaim).nullish().transform((value) => value ?? UserClaim.None),
  solutionnamespace: optionalText(160),
  namespaceaddress: optionalText(255),
  path: optionalText(160),
  url: optionalText(2000),
  saskeyname: optionalText(256),
  saskey: optionalText(256),
  sastoken: optionalText(256),
  authvalue: optionalText(2048),
  connectionstring: optionalText(2048),
  signingsecret: optionalText(256),
  retrypolicy: optionalText(512),
});

function invalid(column: string, reason: string): never {
  throw new PipelineError("ValidationFailed", `serviceendpoint.${column}: ${reason}`, { path: column });
}

/**
 * Reads a registration and refuses one that cannot work, with the reason.
 * Unknown columns are ignored (rows carry createdon and the like).
 * @throws PipelineError "ValidationFailed" with `path` = the column at fault.
 */
export function validateServiceEndpoint(input: unknown): ServiceEndpoint {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const column = issue.path.join(".") || "$";
    invalid(column, issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message);
  }
  const endpoint = parsed.data as ServiceEndpoint;
  const contractName = `contract ${endpoint.contract} (${CONTRACT_NAMES[endpoint.contract]})`;
  if (endpoint.contract === EndpointContract.EventGrid || endpoint.contract === EndpointContract.ManagedDataLake) {
    invalid("contract", `${contractName} is not supported`);
  }
  if (endpoint.contract !== EndpointContract.Webhook && endpoint.messageformat === MessageFormat.BinaryXml) {
    invalid("messageformat", "Binary XML (1) is not supported yet; use 2 (Json) or 3 (Text XML)");
  }
  if (endpoint.contract === EndpointContract.Rest && endpoint.messageformat !== MessageFormat.TextXml) {
    invalid("messageformat", `${contractName} posts Text XML: set messageformat to 3`);
  }
  if (HTTP_CONTRACTS.has(endpoint.contract)) checkHttpEndpoint(endpoint, contractName);
  else checkBrokerEndpoint(endpoint, contractName);
  if (endpoint.retrypolicy !== undefined) retryPolicyOf(endpoint);
  return endpoint;
}

function checkHttpEndpoint(endpoint: ServiceEndpoint, contractName: string): void {
  if (!endpoint.url) invalid("url", `is required for ${contractName}`);
  checkUrl(endpoint.url);
  const httpAuth: number[] = [EndpointAuthType.WebhookKey, EndpointAuthType.HttpHeader, EndpointAuthType.HttpQueryString];
  if (!httpAuth.includes(endpoint.authtype)) invalid("authtype", `${contractName} takes 4 (Webhook Key), 5 (Http Header) or 6 (Http Query String)`);
  if (!endpoint.authvalue) invalid("authvalue", `is required for authtype ${endpoint.authtype}`);
  let auth: HttpAuth;
  try {
    auth = parseAuthValue(endpoint.authtype, endpoint.authvalue);
  } catch (error) {
    invalid("authvalue", (error as Error).message);
  }
  checkHeaders(auth.headers);
}

/**
 * Http Header settings fetch would refuse (a name that is not an HTTP token; a value with a line break, NUL
 * or a character beyond Latin-1), checked by fetch's own Headers. The reason names the setting, never
 * its value (fetch's message would quote it).
 */
function checkHeaders(headers: Record<string, string>): void {
  Object.entries(headers).forEach(([name, value], index) => {
    if (!acceptedBy(() => new Headers([[name, ""]]))) invalid("authvalue", `setting ${index + 1}: its name is not a valid HTTP header name`);
    if (!acceptedBy(() => new Headers([["x", value]]))) {
      invalid("authvalue", `setting ${index + 1} (${name}): its value cannot be sent as an HTTP header (line break, NUL or a character beyond Latin-1)`);
    }
  });
}

function acceptedBy(construct: () => unknown): boolean {
  try {
    construct();
    return true;
  } catch {
    return false;
  }
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** True for 127.0.0.1, localhost and [::1]: addresses only the local runtime can mean. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/** Dataverse accepts only ports 80 and 443; loopback URLs (the local runtime and tests) may use any port. */
function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    invalid("url", "is not an absolute URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") invalid("url", "must be http or https");
  // fetch refuses such a URL; credentials go in authvalue (authtype 4, 5 or 6).
  if (parsed.username || parsed.password) invalid("url", "must not contain a user name or password; send credentials with authtype 4, 5 or 6");
  if (parsed.port !== "" && !["80", "443"].includes(parsed.port) && !isLoopbackHost(parsed.hostname)) {
    invalid("url", `port ${parsed.port} is not allowed; use 80 or 443`);
  }
}

function checkBrokerEndpoint(endpoint: ServiceEndpoint, contractName: string): void {
  if (!endpoint.path) invalid("path", `is required for ${contractName}`);
  const isEventHub = endpoint.contract === EndpointContract.EventHub;
  const namespaceKnown = Boolean(endpoint.namespaceaddress || endpoint.solutionnamespace);
  switch (endpoint.authtype) {
    case EndpointAuthType.SasKey:
      if (!namespaceKnown) invalid("namespaceaddress", "is required for authtype 2 (SAS Key)");
      if (!endpoint.saskeyname) invalid("saskeyname", "is required for authtype 2 (SAS Key)");
      if (!endpoint.saskey) invalid("saskey", "is required for authtype 2 (SAS Key)");
      return;
    case EndpointAuthType.SasToken:
      if (isEventHub) invalid("authtype", `${contractName} takes 2 (SAS Key), 7 (Connection String) or 9 (Managed Identity)`);
      if (!namespaceKnown) invalid("namespaceaddress", "is required for authtype 3 (SAS Token)");
      if (!endpoint.sastoken) invalid("sastoken", "is required for authtype 3 (SAS Token)");
      return;
    case EndpointAuthType.ConnectionString:
      if (!endpoint.connectionstring) invalid("connectionstring", "is required for authtype 7 (Connection String)");
      if (!/(^|;)\s*Endpoint\s*=/i.test(endpoint.connectionstring)) invalid("connectionstring", "has no Endpoint=");
      return;
    case EndpointAuthType.ManagedIdentity:
      return;
    default:
      invalid("authtype", `${contractName} takes 2 (SAS Key), 3 (SAS Token), 7 (Connection String) or 9 (Managed Identity)`);
  }
}

/** The endpoint's retry policy: the service-endpoint defaults overridden by its `retrypolicy` column. */
export function retryPolicyOf(endpoint: Pick<ServiceEndpoint, "retrypolicy">): CompiledRetryPolicy {
  if (endpoint.retrypolicy === undefined) return compileRetryPolicy();
  let overrides: unknown;
  try {
    overrides = JSON.parse(endpoint.retrypolicy);
  } catch {
    invalid("retrypolicy", "is not JSON");
  }
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) invalid("retrypolicy", "must be a JSON object");
  try {
    return compileRetryPolicy(overrides as Partial<RetryPolicy>);
  } catch (error) {
    return invalid("retrypolicy", (error as Error).message);
  }
}

