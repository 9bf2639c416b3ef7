/* global require, setTimeout */
/* eslint-disable @typescript-eslint/no-require-imports */
const { app } = require("@azure/functions");
const df = require("durable-functions");
const { observe, observations } = require("../lib/observe");

// Starts any orchestration: POST /api/orchestrators/{name}[/{instanceId}] with the input as body.
app.http("startOrchestration", {
  route: "orchestrators/{name}/{instanceId?}",
  methods: ["POST"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const client = df.getClient(context);
    const body = await request.text();
    const instanceId = await client.startNew(request.params.name, { instanceId: request.params.instanceId, input: body ? JSON.parse(body) : undefined });
    return client.createCheckStatusResponse(request, instanceId);
  },
});

// Reads an instance through the durable client (GET /api/status/{instanceId}).
app.http("clientStatus", {
  route: "status/{instanceId}",
  methods: ["GET"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const status = await df.getClient(context).getStatus(request.params.instanceId);
    return { jsonBody: { runtimeStatus: status.runtimeStatus, output: status.output, customStatus: status.customStatus } };
  },
});

// The durable client binding's data as the function receives it (GET /api/durable-client-data).
const clientDataInput = df.input.durableClient();
app.http("durableClientData", {
  route: "durable-client-data",
  methods: ["GET"],
  authLevel: "anonymous",
  extraInputs: [clientDataInput],
  handler: async (_request, context) => ({ jsonBody: context.extraInputs.get(clientDataInput) }),
});

// Fails until it has run `failures` times for `key` (counted in the observations file, so restarts keep the count).
df.app.activity("flaky", {
  handler: (input) => {
    const attempts = observations("flaky").filter((entry) => entry.key === input.key).length + 1;
    observe("flaky", { key: input.key, attempt: attempts });
    if (attempts <= input.failures) throw new Error(`attempt ${attempts} of ${input.key} fails`);
    return `${input.key} succeeded on attempt ${attempts}`;
  },
});

df.app.activity("record", {
  handler: (input) => {
    observe("record", { value: input });
    return input;
  },
});

df.app.activity("double", { handler: (n) => n * 2 });

df.app.orchestration("childOrchestrator", function* (context) {
  const n = context.df.getInput();
  return yield context.df.callActivity("double", n);
});

// Every durable feature in one: retries, a long timer, an external event, a sub-orchestration, custom status.
df.app.orchestration("tourOrchestrator", function* (context) {
  const input = context.df.getInput();
  const retry = new df.RetryOptions(60 * 60 * 1000, 4);
  retry.backoffCoefficient = 2;
  const flaky = yield context.df.callActivityWithRetry("flaky", retry, { key: input.key, failures: 2 });
  context.df.setCustomStatus({ step: "waiting for a day" });
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 24 * 60 * 60 * 1000));
  context.df.setCustomStatus({ step: "waiting for approval" });
  const approval = yield context.df.waitForExternalEvent("approval");
  const doubled = yield context.df.callSubOrchestrator("childOrchestrator", 21);
  context.df.setCustomStatus({ step: "done" });
  return { flaky, approval, doubled };
});

df.app.orchestration("failingOrchestrator", function* (context) {
  const retry = new df.RetryOptions(1000, 2);
  yield context.df.callActivityWithRetry("flaky", retry, { key: context.df.getInput().key, failures: 5 });
  return "unreachable";
});

// Two recorded activities in a row (the fault tests count how often each ran).
df.app.orchestration("recordPairOrchestrator", function* (context) {
  const key = context.df.getInput().key;
  const first = yield context.df.callActivity("record", `${key}:first`);
  const second = yield context.df.callActivity("record", `${key}:second`);
  return [first, second];
});

// `input` sequential activities (the benchmark's Durable workload).
df.app.orchestration("sequenceOrchestrator", function* (context) {
  let total = 0;
  for (let i = 0; i < context.df.getInput(); i++) total += yield context.df.callActivity("double", i);
  return total;
});

df.app.orchestration("counterOrchestrator", function* (context) {
  const count = context.df.getInput() ?? 0;
  if (count < 3) {
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1000));
    context.df.continueAsNew(count + 1);
    return;
  }
  return count;
});

// Collects `count` "item" events (raised at once by a test: many arrive while an episode of it runs), then returns them.
df.app.orchestration("collectEvents", function* (context) {
  const items = [];
  while (items.length < context.df.getInput().count) items.push(yield context.df.waitForExternalEvent("item"));
  return items;
});

df.app.orchestration("waitForever", function* (context) {
  yield context.df.waitForExternalEvent("never");
});

// Hangs on its first run for a key (so a test can stop the host mid-activity); returns at once after.
df.app.activity("slowOnce", {
  handler: async (key) => {
    const run = observations("slowOnce").filter((entry) => entry.key === key).length + 1;
    observe("slowOnce", { key, run });
    if (run === 1) await new Promise((resolve) => setTimeout(resolve, 120_000));
    return run;
  },
});

// The restart case: an activity, a two-hour timer, retries half an hour apart, a slow activity, an activity.
df.app.orchestration("restartOrchestrator", function* (context) {
  const key = context.df.getInput().key;
  yield context.df.callActivity("record", `${key}:before`);
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 2 * 60 * 60 * 1000));
  const retry = new df.RetryOptions(30 * 60 * 1000, 5);
  const flaky = yield context.df.callActivityWithRetry("flaky", retry, { key, failures: 2 });
  const slowRun = yield context.df.callActivity("slowOnce", key);
  yield context.df.callActivity("record", `${key}:after`);
  return { flaky, slowRun };
});

// Stands in for a system job's orchestration (the shared/jobs tests), until terminated. Started with
// `paused: true` in its input it waits paused as a job's does (custom status "paused") for the job's
// change event, then shows the signal it received as its custom status.
df.app.orchestration("jobStandIn", function* (context) {
  if (context.df.getInput().paused) {
    context.df.setCustomStatus("paused");
    const signal = yield context.df.waitForExternalEvent("jobChanged");
    context.df.setCustomStatus({ received: signal });
  }
  yield context.df.waitForExternalEvent("never");
});
