import { startAzureMonitor } from "./azure-monitor";
import { scopeInvocations } from "./invocation-scope";

// Imported first by every functions/*.ts entry: the worker loads it once (module cache), before any
// function registers, so the job telemetry's meter comes from the Azure Monitor meter provider, and the
// structured log finds each invocation's logger.
startAzureMonitor();
scopeInvocations();
