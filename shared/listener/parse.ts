import { ClaimKeys, type ClaimName } from "../delivery/claim-keys";
import { PipelineError } from "../errors";
import type { RemoteExecutionContext } from "../model";
import { CONTENT_TYPES, MESSAGE_MAX_SIZE_EXCEEDED_PROPERTY, MessageFormat, decodeContext } from "../serialization";

/** What a listener gets out of one message. */
export interface DataverseMessage {
  context: RemoteExecutionContext;
  format: MessageFormat;
  /** The poster dropped ParentContext, InputParameters and the images to fit the size limit. */
  truncated: boolean;
  /** The claim properties as sent: organization, table, message, and the user ids when the endpoint sends them. */
  claims: Partial<Record<ClaimName, string>>;
}

/**
 * What the trigger (`context.triggerMetadata`), a received @azure/service-bus message, or a webhook request
 * (`{ contentType: request.headers.get("content-type") }`) says about the message besides its body.
 * Typed loosely so that trigger metadata can be passed as it is.
 */
export interface MessageProperties {
  contentType?: unknown;
  applicationProperties?: unknown;
}

const FORMAT_BY_CONTENT_TYPE = new Map<string, MessageFormat>(
  Object.entries(CONTENT_TYPES).map(([format, contentType]) => [contentType, Number(format) as MessageFormat]),
);

/**
 * Reads a message posted by a Dataverse service endpoint (queue, topic, Event Hub, or a webhook's body
 * with its Content-Type): checks the content type, parses the body into the model, and checks that the
 * claim properties agree with the context.
 *
 * `body` may be a string, bytes, or the object the Functions runtime made of a JSON body. Prefer bytes
 * (register the trigger with `dataType: "binary"`) or text: an object is parsed again from its JSON form, and
 * `JSON.parse` has already changed what a JavaScript number cannot hold — a BigInt past 2^53
 * (9007199254740993 → …992), a decimal or Money with more than about 15 significant digits
 * (922337203685477.5807 → …477.6), the scale of `1.0000000000`.
 * @throws PipelineError "InvalidFormat" for an unknown content type or a body that is not a context,
 *   "ValidationFailed" when a claim property contradicts the context.
 */
export function parseDataverseMessage(body: unknown, properties: MessageProperties = {}): DataverseMessage {
  const format = formatOf(typeof properties.contentType === "string" ? properties.contentType : undefined);
  const context = decodeContext(bodyText(body), format);
  const applicationProperties =
    typeof properties.applicationProperties === "object" && properties.applicationProperties !== null
      ? (properties.applicationProperties as Record<string, unknown>)
      : {};
  const claims: DataverseMessage["claims"] = {};
  for (const [name, key] of Object.entries(ClaimKeys) as Array<[ClaimName, string]>) {
    const value = applicationProperties[key];
    if (value !== undefined && value !== null) claims[name] = String(value);
  }
  verifyClaims(claims, context);
  // The Functions Node library lower-cases the first letter of every trigger-metadata key, nested ones too.
  const camelCased = MESSAGE_MAX_SIZE_EXCEEDED_PROPERTY.charAt(0).toLowerCase() + MESSAGE_MAX_SIZE_EXCEEDED_PROPERTY.slice(1);
  const truncated = applicationProperties[MESSAGE_MAX_SIZE_EXCEEDED_PROPERTY] !== undefined || applicationProperties[camelCased] !== undefined;
  return { context, format, truncated, claims };
}

function formatOf(contentType: string | undefined): MessageFormat {
  const mediaType = (contentType ?? "").split(";")[0].trim().toLowerCase();
  const format = FORMAT_BY_CONTENT_TYPE.get(mediaType);
  if (format === MessageFormat.BinaryXml) throw new PipelineError("InvalidFormat", "content type application/msbin1 (.NET Binary XML) is not supported", { path: "contentType" });
  if (format === undefined) {
    throw new PipelineError("InvalidFormat", `content type "${contentType ?? ""}" is not a Dataverse message; expected application/json or application/xml`, { path: "contentType" });
  }
  return format;
}

function bodyText(body: unknown): string {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
  if (typeof body === "object" && body !== null) return JSON.stringify(body);
  throw new PipelineError("InvalidFormat", "the message has no body", { path: "body" });
}

/** A claim that is present must agree with the context; a missing one is accepted (the endpoint's userclaim decides). */
function verifyClaims(claims: DataverseMessage["claims"], context: RemoteExecutionContext): void {
  const expected: Array<[ClaimName, string, string | undefined]> = [
    ["organization", "OrganizationName", context.organizationName],
    ["entityLogicalName", "PrimaryEntityName", context.primaryEntityName],
    ["requestName", "MessageName", context.messageName],
    ["user", "UserId", context.userId],
    ["initiatingUser", "InitiatingUserId", context.initiatingUserId],
  ];
  for (const [claim, member, actual] of expected) {
    const sent = claims[claim];
    const agrees = claim === "organization" ? namesOrganization : sameText;
    if (sent !== undefined && !agrees(sent, actual ?? "")) {
      throw new PipelineError("ValidationFailed", `claim ${claim} is "${sent}" but the context's ${member} is "${actual ?? ""}"`, { path: `applicationProperties.${claim}` });
    }
  }
}

const sameText = (sent: string, actual: string): boolean => sent.toLowerCase() === actual.toLowerCase();

/**
 * The Organization claim's format is undocumented (§E.2, §J.3): Microsoft's listener samples show the
 * organization URI (`https://contoso.crm.dynamics.com/`), our poster sends the name. Either is accepted: the
 * name itself, or a URI whose host's first label is the name.
 */
function namesOrganization(sent: string, organizationName: string): boolean {
  if (sameText(sent, organizationName)) return true;
  if (!/^https?:\/\//i.test(sent)) return false;
  try {
    return sameText(new URL(sent).hostname.split(".")[0], organizationName);
  } catch {
    return false;
  }
}
