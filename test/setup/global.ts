import { constants } from "node:os";
import { testServices, type StartedService } from "./services";
import { STOP_SIGNALS } from "../../local/util/cli";


/**
 * Starts everything the tests need (Azurite, and the parts registered in services.ts) on free loopback
 * ports, publishes their settings as environment variables for the test workers, and stops them after —
 * also when the run is interrupted (Ctrl-C, SIGTERM, the terminal closed), since the teardown does not
 * run then and Azurite, in a process group of its own, would outlive the run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const started: StartedService[] = [];
  const onSignal = (signal: NodeJS.Signals) => {
    // Every stop is called now, together: vitest exits 1 ms after SIGINT/SIGTERM, and each stop signals
    // its process within the call. Then exit as the signal would have: 128 + its number.
    const code = 128 + constants.signals[signal];
    process.exitCode = code;
    void stopAll(started, { together: true }).finally(() => process.exit(code));
  };
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  const removeSignalHandlers = () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  };
  try {
    for (const service of testServices) {
      const running = await service.start();
      started.push(running);
      Object.assign(process.env, running.env);
    }
  } catch (error) {
    removeSignalHandlers();
    await stopAll(started);
    throw error;
  }
  return async () => {
    removeSignalHandlers();
    await stopAll(started);
  };
}

/** Stops the started services, the last one first; or all at once (`together`), when there is no time to wait. */
async function stopAll(started: StartedService[], options: { together?: boolean } = {}): Promise<void> {
  const services = [...started].reverse();
  started.length = 0;
  if (options.together) {
    await Promise.allSettled(services.map((service) => service.stop()));
    return;
  }
  for (const service of services) await service.stop().catch(() => undefined);
}
