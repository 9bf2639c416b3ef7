import { causeChain, PipelineError } from "../../errors";
import type { HttpAuth } from "../auth-value";
import { externalFailure } from "../failure";

export interface HttpPost {
  url: string;
  auth: HttpAuth;
  headers: Record<string, string>;
  body: string;
  timeoutInMs: number;
  abortSignal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Status codes that may pass: request timeout, throttling and every server error. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** The URL without query string (which may carry `code=` or other auth values): safe to log. */
export function safeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * One POST, answered with whatever status came back. A network failure or no answer within the timeout
 * throws (a timeout as PipelineError "ExternalUnavailable").
 */
export async function postHttp(post: HttpPost, fetchImpl: typeof fetch = fetch): Promise<HttpAnswer> {
  const url = new URL(post.url);
  for (const [name, value] of Object.entries(post.auth.query)) url.searchParams.append(name, value);
  const timeout = AbortSignal.timeout(post.timeoutInMs);
  const signal = post.abortSignal ? AbortSignal.any([post.abortSignal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetchImpl(url, { method: "POST", headers: { ...post.headers, ...post.auth.headers }, body: post.body, signal, redirect: "manual" });
  } catch (error) {
    if (timeout.aborted && !post.abortSignal?.aborted) {
      throw new PipelineError("ExternalUnavailable", `${safeUrl(post.url)} did not answer within ${Math.round(post.timeoutInMs / 1000)} s`);
    }
    throw requestFailure(error, safeUrl(post.url));
  }
  return { status: response.status, body: await response.text().catch(() => "") };
}

/**
 * A fetch that threw, as a PipelineError naming only the safe URL: fetch's own texts may quote the whole URL
 * (with the auth query) or a header value, so neither they nor the error itself (a `cause` is logged with
 * the error) go on; only the classification and a network error code such as ECONNREFUSED do.
 */
function requestFailure(error: unknown, url: string): PipelineError {
  const { code, retryable } = externalFailure(error, url);
  const networkCode = errorCodeOf(error);
  return new PipelineError(code, `${url}: the request failed${networkCode ? ` (${networkCode})` : ""}`, { retryable });
}

/** The first error code (an identifier such as ECONNREFUSED or UND_ERR_SOCKET) along the cause chain. */
function errorCodeOf(error: unknown): string | undefined {
  for (const { code } of causeChain(error)) {
    if (typeof code === "string" && /^[A-Z][A-Z0-9_]*$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Only 2xx is success (§H). Otherwise a PipelineError: ExternalUnavailable when the status may pass
 * (408, 429, 5xx), else ExternalRejected.
 */
export function ensureSuccess(answer: HttpAnswer, url: string): HttpAnswer {
  if (answer.status >= 200 && answer.status < 300) return answer;
  const retryable = isRetryableStatus(answer.status);
  throw new PipelineError(retryable ? "ExternalUnavailable" : "ExternalRejected", `${safeUrl(url)} answered ${answer.status}`, { retryable });
}
