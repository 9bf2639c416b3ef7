import "../shared/telemetry/start";
import { app, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import {
  appServices,
  rememberDurableClient,
  systemJobOrchestrator,
  SYSTEM_JOB_ATTEMPT_ACTIVITY,
  SYSTEM_JOB_ORCHESTRATION,
  type JobAttemptInput,
} from "../shared/jobs";

// System jobs: an orchestration per asyncoperation (instance id = the job's id) that posts the job's
// stored context to its step's service endpoint, and a sweep that starts any open job without one (and
// resumes a paused one whose job a user resumed).

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
    const { started, resumed } = await jobs().sweep(orchestrations);
    if (started.length > 0) context.log(`started the orchestration of ${started.length} system job(s) that had none`, { jobIds: started });
    if (resumed.length > 0) context.log(`resumed the paused orchestration of ${resumed.length} Ready system job(s)`, { jobIds: resumed });
  },
});
