import { app, HttpResponse, type HttpRequest } from "@azure/functions";
import { createDataService, handleHttp, WEB_API_ROUTE, type DataService } from "../shared/dataservice";

/** Adapts a Functions HTTP request to the data service's Web API and back. */
export function createWebApiHandler(getService: () => DataService): (request: HttpRequest) => Promise<HttpResponse> {
  return async (request) => new HttpResponse(await handleHttp(getService().webApi, request));
}

let service: DataService | undefined;

/** The Dataverse Web API of every organization: `/{org}/api/data/v9.2/{path}`. */
app.http("dataverseWebApi", {
  route: WEB_API_ROUTE,
  methods: ["GET", "POST", "PATCH", "DELETE"],
  authLevel: "anonymous",
  handler: createWebApiHandler(() => (service ??= createDataService())),
});
