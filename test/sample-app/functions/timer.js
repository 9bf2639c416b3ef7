/* global require */
/* eslint-disable @typescript-eslint/no-require-imports */
const { app } = require("@azure/functions");
const { observe } = require("../lib/observe");

app.timer("everySecond", {
  schedule: "*/1 * * * * *",
  handler: async (timer, context) => observe("timer", { name: context.functionName, isPastDue: timer.isPastDue, next: timer.scheduleStatus.next }),
});

app.timer("onStartup", {
  schedule: "0 0 0 1 1 *",
  runOnStartup: true,
  handler: async (_timer, context) => observe("timer", { name: context.functionName }),
});
