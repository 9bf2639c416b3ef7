import { testServices, type StartedService } from "./services";

/**
 * Starts everything the tests need (Azurite, and the parts registered in services.ts) on free loopback
 * ports, publishes their settings as environment variables for the test workers, and stops them after.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const started: StartedService[] = [];
  try {
    for (const service of testServices) {
      const running = await service.start();
      started.push(running);
      Object.assign(process.env, running.env);
    }
  } catch (error) {
    await stopAll(started);
    throw error;
  }
  return () => stopAll(started);
}

async function stopAll(started: StartedService[]): Promise<void> {
  for (const service of started.reverse()) await service.stop().catch(() => undefined);
}
