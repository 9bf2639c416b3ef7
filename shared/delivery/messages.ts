import type { EventData } from "@azure/event-hubs";
import type { ServiceBusMessage } from "@azure/service-bus";
import { postMessageId, type RemoteExecutionContext } from "../model";
import { CONTENT_TYPES, MessageFormat, WEBHOOK_SIZE_EXCEEDED_HEADER, fitToChannel, type SizeLimitedChannel } from "../serialization";
import { claimProperties } from "./claims";
import type { ServiceEndpoint } from "./endpoint";
import { EndpointContract } from "./endpoint-options";

/**
 * What Dataverse sends for each kind of endpoint, built without any I/O: the body in the endpoint's format
 * under the channel's size rule (§G), and the properties or headers that go with it.
 */

export interface EncodedBody {
  body: string;
  contentType: string;
  truncated: boolean;
}

/** @throws PipelineError "MessageTooLarge" when even the truncated body is over the channel's limit. */
export function encodeBody(context: RemoteExecutionContext, format: MessageFormat, channel: SizeLimitedChannel): EncodedBody {
  const fitted = fitToChannel(context, format, channel);
  return { body: fitted.body, contentType: CONTENT_TYPES[format], truncated: fitted.truncated };
}

/**
 * Queue, topic, one-way and two-way (§E): MessageId = the post's identity (`postMessageId`: the OperationId of an
 * asynchronous job, one id per step and stage of a synchronous operation) for duplicate detection, the claims as properties.
 */
export function serviceBusMessageFor(context: RemoteExecutionContext, endpoint: ServiceEndpoint): { message: ServiceBusMessage; truncated: boolean } {
  const encoded = encodeBody(context, endpoint.messageformat, "serviceBus");
  return {
    truncated: encoded.truncated,
    message: {
      body: Buffer.from(encoded.body, "utf8"),
      contentType: encoded.contentType,
      messageId: postMessageId(context),
      correlationId: context.correlationId,
      applicationProperties: claimProperties(context, endpoint.userclaim, encoded.truncated),
    },
  };
}

/** Event Hub (§I): the same body and properties as a queue message; the caller sends it with partition key = PrimaryEntityId. */
export function eventDataFor(context: RemoteExecutionContext, endpoint: ServiceEndpoint): { event: EventData; truncated: boolean } {
  const { message, truncated } = serviceBusMessageFor(context, endpoint);
  return {
    truncated,
    event: {
      body: message.body,
      contentType: message.contentType,
      messageId: message.messageId,
      correlationId: message.correlationId,
      properties: message.applicationProperties,
    },
  };
}

/** Webhook (§H, always JSON, 256 KB) and REST (Text XML, the Service Bus limit): body and Dataverse's headers. */
export function httpRequestFor(
  context: RemoteExecutionContext,
  endpoint: ServiceEndpoint,
  /** `x-ms-dynamics-organization`: the environment's domain name (poster.ts decides it). */
  organizationHost: string,
): EncodedBody & { headers: Record<string, string> } {
  const isWebhook = endpoint.contract === EndpointContract.Webhook;
  const encoded = encodeBody(context, isWebhook ? MessageFormat.Json : endpoint.messageformat, isWebhook ? "webhook" : "serviceBus");
  const headers: Record<string, string> = {
    "content-type": `${encoded.contentType}; charset=utf-8`,
    "x-ms-dynamics-organization": organizationHost,
    "x-ms-dynamics-entity-name": context.primaryEntityName,
    "x-ms-dynamics-request-name": context.messageName,
    "x-ms-correlation-request-id": context.correlationId,
  };
  if (encoded.truncated) headers[WEBHOOK_SIZE_EXCEEDED_HEADER] = "true";
  return { ...encoded, headers };
}
