import { PipelineError } from "../../errors";
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
      throw new PipelineError("ExternalUnavailable", `${safeUrl(post.url)} did not answer within ${Math.round(post.timeoutInMs / 1000)} s`, { cause: error });
    }
    throw externalFailure(error, safeUrl(post.url));
  }
  return { status: response.status, body: await response.text().catch(() => "") };
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
