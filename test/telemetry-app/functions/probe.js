/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports */
// As every functions/*.ts entry of the app: telemetry first (built: run `npm run build`), then the functions.
require("../../../dist/shared/telemetry/start");
const { app } = require("@azure/functions");
const { TableClient } = require("@azure/data-tables");
const { structuredLog } = require("../../../dist/shared/telemetry/structured-log");

// GET /api/probe: one context.log line, one Table storage call (Azurite, AzureWebJobsStorage) and, after
// it, one structured log record written without the invocation context at hand (as a job attempt's).
app.http("probe", {
  methods: ["GET"],
  authLevel: "anonymous",
  handler: async (_request, context) => {
    context.log("probe: invoked");
    const table = TableClient.fromConnectionString(process.env.AzureWebJobsStorage, "TelemetryProbe", { allowInsecureConnection: true });
    await table.createTable();
    structuredLog({ event: "systemJobSweep", severity: "warning", message: "probe: structured", fields: { startedCount: 2, startedJobIds: "a,b", resumedCount: 0 } });
    return { status: 200, jsonBody: { traceParent: context.traceContext?.traceParent } };
  },
});
