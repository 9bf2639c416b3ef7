/* global require */
/* eslint-disable @typescript-eslint/no-require-imports */
const { app, HttpResponse } = require("@azure/functions");

app.http("hello", {
  methods: ["GET"],
  authLevel: "anonymous",
  route: "hello/{name:alpha?}",
  handler: async (request, context) => {
    context.log(`greeting ${request.params.name ?? "world"}`);
    return { jsonBody: { message: `Hello, ${request.params.name ?? "world"}!` } };
  },
});

app.http("item", {
  methods: ["GET", "DELETE"],
  authLevel: "function",
  route: "items/{id:int}",
  handler: async (request) => ({ jsonBody: { id: Number(request.params.id), method: request.method } }),
});

app.http("adminPing", {
  methods: ["GET"],
  authLevel: "admin",
  route: "admin/ping",
  handler: async () => ({ body: "pong" }),
});

app.http("files", {
  methods: ["GET"],
  authLevel: "anonymous",
  route: "files/{*path}",
  handler: async (request) => ({ jsonBody: { path: request.params.path ?? "" } }),
});

app.http("trace", {
  methods: ["GET"],
  authLevel: "anonymous",
  handler: async (_request, context) => ({ jsonBody: context.traceContext }),
});

app.http("echo", {
  methods: ["POST"],
  authLevel: "anonymous",
  handler: async (request, context) => {
    context.warn("echo warning");
    context.debug("echo debug");
    const body = await request.text();
    return new HttpResponse({
      status: 201,
      jsonBody: { body, query: request.query.get("q"), header: request.headers.get("x-sample") },
      cookies: [{ name: "session", value: "abc", httpOnly: true, path: "/" }],
    });
  },
});

app.http("broken", {
  methods: ["GET"],
  authLevel: "anonymous",
  handler: async () => {
    throw new Error("this function always fails");
  },
});

// Hooks run around every invocation, as in Azure.
app.hook.postInvocation((context) => {
  if (context.invocationContext.functionName === "hello" && context.result) {
    context.result.headers = { "x-hooked": "post" };
  }
});
