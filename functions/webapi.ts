import "../shared/telemetry/start";
import { app, HttpResponse, type HttpRequest, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { toDataverseErrorResponse } from "../shared/errors";
import { handleHttp, WEB_API_ROUTE, type DataService } from "../shared/dataservice";
import { appServices, rememberDurableClient } from "../shared/jobs";

/** Adapts a Functions HTTP request to the data service's Web API and back. */
export function createWebApiHandler(getService: () => DataService): (request: HttpRequest) => Promise<HttpResponse> {
  return async (request) => {
    try {
      return new HttpResponse(await handleHttp(getService().webApi, request));
    } catch (error) {
      // Only a misconfiguration (settings, storage) gets here; the Web API turns request errors into responses itself.
      const response = toDataverseErrorResponse(error);
      return new HttpResponse({ status: response.status, headers: response.headers, jsonBody: response.body });
    }
  };
}

const webApi = createWebApiHandler(() => appServices().pipeline);
const durableClientInput = df.input.durableClient();

/** The Dataverse Web API of every organization: `/{org}/api/data/v9.2/{path}`; record messages run through the event pipeline. */
app.http("dataverseWebApi", {
  route: WEB_API_ROUTE,
  methods: ["GET", "POST", "PATCH", "DELETE"],
  authLevel: "anonymous",
  extraInputs: [durableClientInput],
  handler: (request: HttpRequest, context: InvocationContext) => {
    rememberDurableClient(df.getClient(context), context.extraInputs.get(durableClientInput));
    return webApi(request);
  },
});
