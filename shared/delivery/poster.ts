import { azureResources } from "../config/azure-resources";
import { PipelineError, toPipelineError } from "../errors";
import { postMessageId, type RemoteExecutionContext } from "../model";
import { parseAuthValue } from "./auth-value";
import { EventHubsChannel, type EventHubsChannelOptions } from "./channels/event-hubs";
import { ensureSuccess, postHttp, type HttpAnswer } from "./channels/http";
import { ServiceBusChannel, type ServiceBusChannelOptions } from "./channels/service-bus";
import { BrokerConnections } from "./connection";
import type { ServiceEndpoint } from "./endpoint";
import { EndpointContract } from "./endpoint-options";
import { eventDataFor, httpRequestFor, serviceBusMessageFor } from "./messages";
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
  /** Value of `x-ms-dynamics-organization` for this post; default from the poster's `organizationDomain`. */
  organizationHost?: string;
  /** The organization that posts, for `x-ms-dynamics-organization`; default the context's OrganizationName. */
  organizationName?: string;
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
  /** A synchronous step's or a plug-in's post (the caller waited); else a system job's. */
  synchronous: boolean;
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
  /**
   * The domain the organizations are reached under (setting `OrganizationDomain`, see `readOrganizationDomain`):
   * webhooks and REST posts then carry `x-ms-dynamics-organization: {OrganizationName}.{domain}`, the environment's
   * domain name as Dataverse's `contoso.crm.dynamics.com`. Without it, the OrganizationName.
   */
  organizationDomain?: string;
  fetch?: typeof fetch;
}

/** A DNS name, optionally with a port: labels of letters, digits and hyphens. */
const DOMAIN_PATTERN = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*(:\d{1,5})?$/i;

/**
 * The `OrganizationDomain` setting (e.g. `crm.contoso.com`; a leading dot is ignored), undefined when not set.
 * @throws PipelineError ValidationFailed naming the setting when it is not a domain name.
 */
export function readOrganizationDomain(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const name = azureResources.appSettings.organizationDomain;
  const text = env[name]?.trim().replace(/^\./, "");
  if (!text) return undefined;
  if (!DOMAIN_PATTERN.test(text)) throw new PipelineError("ValidationFailed", `Setting ${name}: '${text}' is not a domain name such as crm.contoso.com.`);
  return text.toLowerCase();
}

const DEFAULT_HTTP_TIMEOUT_IN_MS = 60_000;
const DEFAULT_REPLY_TIMEOUT_IN_MS = 60_000;
const GATEWAY_STATUSES = new Set([502, 503, 504]);

export function createEndpointPoster(config: EndpointPosterOptions = {}): EndpointPoster {
  const serviceBus = new ServiceBusChannel(config.serviceBus);
  const eventHubs = new EventHubsChannel(config.eventHubs);
  const connections = new BrokerConnections(config.env ?? process.env);
  const httpTimeoutInMs = config.httpTimeoutInMs ?? DEFAULT_HTTP_TIMEOUT_IN_MS;
  const repliesQueue = config.repliesQueue ?? azureResources.serviceBus.queues.replies.name;

  async function postToServiceBus(context: RemoteExecutionContext, endpoint: ServiceEndpoint, options: PostOptions): Promise<PostResult> {
    const { message, truncated } = serviceBusMessageFor(context, endpoint);
    const connection = connections.for(endpoint, "serviceBus");
    const entity = endpoint.path ?? "";
    if (endpoint.contract !== EndpointContract.TwoWay && endpoint.contract !== EndpointContract.OneWay) {
      await serviceBus.send(connection, entity, message, options.abortSignal);
      return { truncated };
    }
    const reply = await serviceBus.request(connection, entity, message, {
      repliesQueue,
      // The reply's session is the request's own id, so a late reply to an earlier post is never taken for this one's.
      sessionId: String(message.messageId),
      timeoutInMs: options.replyTimeoutInMs ?? config.replyTimeoutInMs ?? DEFAULT_REPLY_TIMEOUT_IN_MS,
      abortSignal: options.abortSignal,
    });
    return endpoint.contract === EndpointContract.TwoWay ? { response: reply, truncated } : { truncated };
  }

  async function postToEventHub(context: RemoteExecutionContext, endpoint: ServiceEndpoint, options: PostOptions): Promise<PostResult> {
    const { event, truncated } = eventDataFor(context, endpoint);
    await eventHubs.send(connections.for(endpoint, "eventHubs"), endpoint.path ?? "", event, context.primaryEntityId, options.abortSignal);
    return { truncated };
  }

  async function postOverHttp(context: RemoteExecutionContext, endpoint: ServiceEndpoint, options: PostOptions): Promise<PostResult> {
    const organizationName = options.organizationName ?? context.organizationName;
    const organizationHost = options.organizationHost ?? (config.organizationDomain ? `${organizationName}.${config.organizationDomain}` : organizationName);
    const request = httpRequestFor(context, endpoint, organizationHost);
    const auth = parseAuthValue(endpoint.authtype, endpoint.authvalue ?? "");
    const url = endpoint.url ?? "";
    const attempt = (): Promise<HttpAnswer> => {
      const signature = endpoint.signingsecret ? signPost(endpoint.signingsecret, postMessageId(context), request.body) : {};
      const headers = { ...request.headers, ...signature };
      return postHttp({ url, auth, headers, body: request.body, timeoutInMs: httpTimeoutInMs, abortSignal: options.abortSignal }, config.fetch);
    };
    const isWebhook = endpoint.contract === EndpointContract.Webhook;
    let answer = await attempt();
    if (isWebhook && options.synchronous && GATEWAY_STATUSES.has(answer.status)) answer = await attempt();
    ensureSuccess(answer, url);
    return isWebhook ? { truncated: request.truncated } : { response: answer.body, truncated: request.truncated };
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
            synchronous: options.synchronous === true,
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
      connections.clear();
      await Promise.all([serviceBus.close(), eventHubs.close()]);
    },
  };
}
