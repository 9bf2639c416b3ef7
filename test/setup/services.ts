import { startAzurite } from "../../local/storage/azurite";

export interface StartedService {
  /** Settings the tests (and any host they start) read, e.g. AzureWebJobsStorage. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface TestService {
  name: string;
  start(): Promise<StartedService>;
}

/** Started in this order before the tests, stopped in reverse after them. */
export const testServices: TestService[] = [
  {
    name: "azurite",
    async start() {
      const azurite = await startAzurite();
      return { env: { AzureWebJobsStorage: azurite.connectionString }, stop: () => azurite.stop() };
    },
  },
];
