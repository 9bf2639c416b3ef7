import "../shared/telemetry/start";
import { app, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import {
  appServices,
  rememberDurableClient,
  sweepLogEvent,
  systemJobOrchestrator,
  SYSTEM_JOB_ATTEMPT_ACTIVITY,
  SYSTEM_JOB_ORCHESTRATION,
  type JobAttemptInput,
} from "../shared/jobs";
import { structuredLog } from "../shared/telemetry/structured-log";

// System jobs: an orchestration per asyncoperation (instance id = the job's id) that posts the job's
// stored context to its step's service endpoint (or runs its step's plug-in), and a sweep that starts any
// open job without one (and resumes a paused one whose job a user resumed).

const jobs = () => appServices().jobs;

df.app.orchestration(SYSTEM_JOB_ORCHESTRATION, systemJobOrchestrator);

df.app.activity(SYSTEM_JOB_ATTEMPT_ACTIVITY, {
  handler: (input: JobAttemptInput) => jobs().attempt(input),
});

const durableClientInput = df.input.durableClient();

app.timer("systemJobSweep", {
  schedule: "0 */1 * * * *",
  runOnStartup: true,
  extraInputs: [durableClientInput],
  handler: async (_timer: unknown, context: InvocationContext) => {
    const orchestrations = rememberDurableClient(context.extraInputs.get(durableClientInput), () => df.getClient(context));
    const logged = sweepLogEvent(await jobs().sweep(orchestrations));
    if (logged) structuredLog(logged, context);
  },
});
