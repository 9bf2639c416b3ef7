import type { DataverseWebApi, ServerErrorLog } from "./web-api";

/** What Functions' HttpRequest and the fetch API's Request have in common. */
export interface FetchLikeRequest {
  method: string;
  url: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface SerializedResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** Runs one HTTP request through the Web API and returns the response with its body (JSON, or plain text) as text; server-side failures go to `logServerError`. */
export async function handleHttp(webApi: DataverseWebApi, request: FetchLikeRequest, logServerError?: ServerErrorLog): Promise<SerializedResponse> {
  const response = await webApi.handle(
    {
      method: request.method.toUpperCase(),
      url: new URL(request.url),
      header: (name) => request.headers.get(name),
      body: await request.text(),
    },
    logServerError,
  );
  const body = response.text ?? (response.body === undefined ? undefined : JSON.stringify(response.body));
  return { status: response.status, headers: response.headers, body };
}
