import type { ServiceBusMessage } from "@azure/service-bus";
import { azureResources } from "../config/azure-resources";
import { toPipelineError } from "../errors";
import type { RemoteExecutionContext } from "../model";
import { fitToChannel, MessageFormat, CONTENT_TYPES, WEBHOOK_SIZE_EXCEEDED_HEADER, type SizeLimitedChannel } from "../serialization";
import { parseAuthValue } from "./auth-value";
import { EventHubsChannel, type EventHubsChannelOptions } from "./channels/event-hubs";
import { ensureSuccess, postHttp, type HttpAnswer } from "./channels/http";
import { ServiceBusChannel, type ServiceBusChannelOptions } from "./channels/service-bus";
import { claimProperties } from "./claims";
import { brokerConnectionFor } from "./connection";
import type { ServiceEndpoint } from "./endpoint";
import { EndpointContract } from "./endpoint-options";
import { signPost } from "./signature";

export interface PostOptions {
  abortSignal?: AbortSignal;
  /**
   * A synchronous step or a plug-in's notification-service call: the caller waits. A webhook answering
   * 502, 503 or 504 then gets exactly one immediate extra attempt, as in Dataverse (§H).
   */
  synchronous?: boolean;
  /** For two-way and one-way: how long to wait for the listener; default the poster's `replyTimeoutInMs`. */
  replyTimeoutInMs?: number;
  /** Value of `x-ms-dynamics-organization` (the environment's host name); default the context's OrganizationName. */
  organizationHost?: string;
}

export interface PostResult {
  /** The listener's answer for two-way (4) and REST (3); absent for every other contract. */
  response?: string;
  /** The body went without ParentContext, InputParameters and images (§G). */
  truncated: boolean;
}

/** Delivers a context to a service endpoint exactly as Dataverse does. */
export interface EndpointPoster {
  /**
   * Posts `context` to `endpoint` (a registration already checked by `validateServiceEndpoint`).
   * @throws PipelineError: `retryable` true (ExternalUnavailable) when trying again later may succeed;
   *   otherwise MessageTooLarge (nothing sent), ValidationFailed (the registration cannot work),
   *   ExternalRejected (the endpoint refused: 4xx, unknown entity, bad credentials) or Internal.
   */
  post(context: RemoteExecutionContext, endpoint: ServiceEndpoint, options?: PostOptions): Promise<PostResult>;
  /** Closes the Service Bus and Event Hubs connections it opened. */
  close(): Promise<void>;
}

/** One finished post, for logs and metrics (posts, failures, truncations, latency). Carries no secret. */
export interface PostEvent {
  serviceEndpointId?: string;
  contract: number;
  operationId: string;
  correlationId: string;
  organizationName: string;
  outcome: "succeeded" | "failed";
  truncated?: boolean;
  /** PipelineError code of a failure. */
  errorCode?: string;
  retryable?: boolean;
  durationInMs: number;
}

export interface EndpointPosterOptions {
  /** Told about every post; must not throw (what it throws is ignored). */
  observer?: (event: PostEvent) => void;
  env?: Readonly<Record<string, string | undefined>>;
  serviceBus?: ServiceBusChannelOptions;
  eventHubs?: EventHubsChannelOptions;
  /** Webhook and REST timeout; Dataverse's is 60 s (§H). */
  httpTimeoutInMs?: number;
  /** Default wait for a two-way or one-way listener. */
  replyTimeoutInMs?: number;
  /** The session queue listeners reply on, on the endpoint's namespace. */
  repliesQueue?: string;
  fetch?: typeof fetch;
}

const DEFAULT_HTTP_TIMEOUT_IN_MS = 60_000;
const DEFAULT_REPLY_TIMEOUT_IN_MS = 60_000;
const GATEWAY_STATUSES = new Set([502, 503, 504]);

export function createEndpointPoster(config: EndpointPosterOptions = {}): EndpointPoster {
  const serviceBus = new ServiceBusChannel(config.serviceBus);
  const eventHubs = new EventHubsChannel(config.eventHubs);
  const env = config.env ?? process.env;
  const httpTimeoutInMs = config.httpTimeoutInMs ?? DEFAULT_HTTP_TIMEOUT_IN_MS;
  const repliesQueue = config.repliesQueue ?? azureResources.serviceBus.queues.replies.name;

  function encode(context: RemoteExecutionContext, format: MessageFormat, channel: SizeLimitedChannel) {
    const fitted = fitToChannel(context, format, channel);
    return { ...fitted, contentType: CONTENT_TYPES[format] };
  }

  async function postToServiceBus(context: RemoteExecutionContext, endpoint: ServiceEndpoint, options: PostOptions): Promise<PostResult> {
    const body = encode(context, endpoint.messageformat, "serviceBus");
    const connection = brokerConnectionFor(endpoint, "serviceBus", env);
    const message: ServiceBusMessage = {
      body: Buffer.from(body.body, "utf8"),
      contentType: body.contentType,
      messageId: context.operationId,
      correlationId: context.correlationId,
      applicationProperties: claimProperties(context, endpoint.userclaim, body.truncated),
    };
    const entity = endpoint.path ?? "";
    if (endpoint.contract === EndpointContract.TwoWay || endpoint.contract === EndpointContract.OneWay) {
      const reply = await serviceBus.request(connection, entity, message, {
        repliesQueue,
        sessionId: context.operationId,
        timeoutInMs: options.replyTimeoutInMs ?? config.replyTimeoutInMs ?? DEFAULT_REPLY_TIMEOUT_IN_MS,
        abortSignal: options.abortSignal,
      });
      return endpoint.contract === EndpointContract.TwoWay ? { response: reply, truncated: body.truncated } : { truncated: body.truncated };
    }
    await serviceBus.send(connection, entity, message, options.abortSignal);
    return { truncated: body.truncated };
  }

  async function postToEventHub(context: RemoteExecutionContext, endpoint: ServiceEndpoint, options: PostOptions): Promise<PostResult> {
    const body = encode(context, endpoint.messageformat, "serviceBus");
    const connection = brokerConnectionFor(endpoint, "eventHubs", env);
    const event = {
      body: Buffer.from(body.body, "utf8"),
      contentType: body.contentType,
      messageId: context.operationId,
      correlationId: context.correlationId,
      properties: claimProperties(context, endpoint.userclaim, body.truncated),
    };
    await eventHubs.send(connection, endpoint.path ?? "", event, context.primaryEntityId, options.abortSignal);
    return { truncated: body.truncated };
  }

  async function postOverHttp(context: RemoteExecutionContext, endpoint: ServiceEndpoint, options: PostOptions): Promise<PostResult> {
    const isWebhook = endpoint.contract === EndpointContract.Webhook;
    const body = encode(context, isWebhook ? MessageFormat.Json : endpoint.messageformat, isWebhook ? "webhook" : "serviceBus");
    const url = endpoint.url ?? "";
    const headers: Record<string, string> = {
      "content-type": `${body.contentType}; charset=utf-8`,
      "x-ms-dynamics-organization": options.organizationHost ?? context.organizationName,
      "x-ms-dynamics-entity-name": context.primaryEntityName,
      "x-ms-dynamics-request-name": context.messageName,
      "x-ms-correlation-request-id": context.correlationId,
    };
    if (body.truncated) headers[WEBHOOK_SIZE_EXCEEDED_HEADER] = "true";
    const auth = parseAuthValue(endpoint.authtype, endpoint.authvalue ?? "");
    const attempt = (): Promise<HttpAnswer> => {
      const signature = endpoint.signingsecret ? signPost(endpoint.signingsecret, context.operationId, body.body) : {};
      return postHttp({ url, auth, headers: { ...headers, ...signature }, body: body.body, timeoutInMs: httpTimeoutInMs, abortSignal: options.abortSignal }, config.fetch);
    };
    let answer = await attempt();
    if (isWebhook && options.synchronous && GATEWAY_STATUSES.has(answer.status)) answer = await attempt();
    ensureSuccess(answer, url);
    return isWebhook ? { truncated: body.truncated } : { response: answer.body, truncated: body.truncated };
  }

  function postByContract(context: RemoteExecutionContext, endpoint: ServiceEndpoint, options: PostOptions): Promise<PostResult> {
    switch (endpoint.contract) {
      case EndpointContract.Webhook:
      case EndpointContract.Rest:
        return postOverHttp(context, endpoint, options);
      case EndpointContract.EventHub:
        return postToEventHub(context, endpoint, options);
      default:
        return postToServiceBus(context, endpoint, options);
    }
  }

  return {
    async post(context, endpoint, options = {}) {
      const startedAt = performance.now();
      const observe = (event: Pick<PostEvent, "outcome" | "truncated" | "errorCode" | "retryable">) => {
        try {
          config.observer?.({
            serviceEndpointId: endpoint.serviceendpointid,
            contract: endpoint.contract,
            operationId: context.operationId,
            correlationId: context.correlationId,
            organizationName: context.organizationName,
            durationInMs: performance.now() - startedAt,
            ...event,
          });
        } catch {
          // an observer never breaks a post
        }
      };
      try {
        const result = await postByContract(context, endpoint, options);
        observe({ outcome: "succeeded", truncated: result.truncated });
        return result;
      } catch (error) {
        const failure = toPipelineError(error);
        observe({ outcome: "failed", errorCode: failure.code, retryable: failure.retryable });
        throw failure;
      }
    },
    async close() {
      await Promise.all([serviceBus.close(), eventHubs.close()]);
    },
  };
}
