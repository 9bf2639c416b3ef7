import { app, HttpResponse, type HttpRequest } from "@azure/functions";
import { createDataService, WEB_API_ROUTE, type DataService } from "../shared/dataservice";

/** Adapts a Functions HTTP request to the data service's Web API and back. */
export function createWebApiHandler(getService: () => DataService): (request: HttpRequest) => Promise<HttpResponse> {
  return async (request) => {
    const response = await getService().webApi.handle({
      method: request.method.toUpperCase(),
      url: new URL(request.url),
      header: (name) => request.headers.get(name),
      body: await request.text(),
    });
    return new HttpResponse({
      status: response.status,
      headers: response.headers,
      body: response.body === undefined ? undefined : JSON.stringify(response.body),
    });
  };
}

let service: DataService | undefined;

/** The Dataverse Web API of every organization: `/{org}/api/data/v9.2/{path}`. */
app.http("dataverseWebApi", {
  route: WEB_API_ROUTE,
  methods: ["GET", "POST", "PATCH", "DELETE"],
  authLevel: "anonymous",
  handler: createWebApiHandler(() => (service ??= createDataService())),
});
