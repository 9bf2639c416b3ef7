/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports */
// As every functions/*.ts entry of the app: telemetry first (built: run `npm run build`), then the functions.
require("../../../dist/shared/telemetry/start");
const { app } = require("@azure/functions");
const { TableClient } = require("@azure/data-tables");

// GET /api/probe: one context.log line and one Table storage call (Azurite, AzureWebJobsStorage).
app.http("probe", {
  methods: ["GET"],
  authLevel: "anonymous",
  handler: async (_request, context) => {
    context.log("probe: invoked");
    const table = TableClient.fromConnectionString(process.env.AzureWebJobsStorage, "TelemetryProbe", { allowInsecureConnection: true });
    await table.createTable();
    return { status: 200, jsonBody: { traceParent: context.traceContext?.traceParent } };
  },
});
