import { startAzureMonitor } from "./azure-monitor";

// Imported first by every functions/*.ts entry: the worker loads it once (module cache), before any
// function registers, so the job telemetry's meter comes from the Azure Monitor meter provider.
startAzureMonitor();
