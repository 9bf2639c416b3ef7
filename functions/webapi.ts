import "../shared/telemetry/start";
import { app, HttpResponse, type HttpRequest, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { DATAVERSE_ERRORS, errorLogText, isPipelineError, PipelineError, toDataverseErrorResponse } from "../shared/errors";
import { handleHttp, WEB_API_ROUTE, type DataService, type ServerFailure } from "../shared/dataservice";
import { appServices, rememberDurableClient } from "../shared/jobs";
import { LOG_EVENTS, structuredLog, type LogEvent } from "../shared/telemetry/structured-log";

/** A request the Web API failed on (5xx), as logged: an error, with the ids to find it by. */
function webApiFailureEvent({ text, ...fields }: ServerFailure): LogEvent {
  return { event: LOG_EVENTS.webApiFailure, severity: "error", message: text, fields };
}

/** Adapts a Functions HTTP request to the data service's Web API and back. */
export function createWebApiHandler(getService: () => DataService): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponse> {
  return async (request, context) => {
    let service: DataService;
    try {
      service = getService();
    } catch (error) {
      const failure = misconfiguration(error);
      const response = toDataverseErrorResponse(failure);
      const { pathname } = new URL(request.url);
      structuredLog(webApiFailureEvent({ method: request.method, path: pathname, status: response.status, errorCode: failure.code, text: `The Web API cannot serve requests: building its services failed. ${errorLogText(error)}` }), context);
      return new HttpResponse({ status: response.status, headers: response.headers, jsonBody: response.body });
    }
    // The Web API turns request errors into responses itself, and reports its own failures (5xx) to the invocation's log.
    return new HttpResponse(await handleHttp(service.webApi, request, (failure) => structuredLog(webApiFailureEvent(failure), context)));
  };
}

/**
 * A failure to build the services is the server's fault, never the caller's: 500 whatever its code. The
 * project's own errors name the setting at fault and hold no secrets, so their message is kept; anything
 * else (an SDK's message may quote a connection string) stays "An unexpected error occurred.".
 */
function misconfiguration(error: unknown): PipelineError {
  if (!isPipelineError(error) || error.code === "Internal") return new PipelineError("Internal", "building the services failed", { cause: error });
  return new PipelineError(error.code, `The service is misconfigured. ${error.message}`, {
    cause: error,
    httpStatus: DATAVERSE_ERRORS.Internal.status,
    dataverseCode: DATAVERSE_ERRORS.Internal.code,
  });
}

const webApi = createWebApiHandler(() => appServices().pipeline);
const durableClientInput = df.input.durableClient();

/** The Dataverse Web API of every organization: `/{org}/api/data/v9.2/{path}` (v9.0 and v9.1 too); record messages run through the event pipeline. */
app.http("dataverseWebApi", {
  route: WEB_API_ROUTE,
  methods: ["GET", "POST", "PATCH", "PUT", "DELETE"],
  authLevel: "anonymous",
  extraInputs: [durableClientInput],
  handler: (request: HttpRequest, context: InvocationContext) => {
    rememberDurableClient(context.extraInputs.get(durableClientInput), () => df.getClient(context));
    return webApi(request, context);
  },
});
