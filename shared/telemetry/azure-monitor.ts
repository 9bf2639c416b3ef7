import { ManagedIdentityCredential } from "@azure/identity";
import type { AzureMonitorOpenTelemetryOptions } from "@azure/monitor-opentelemetry";
import { azureResources } from "../config/azure-resources";

const { applicationInsightsConnectionString, applicationInsightsAuthenticationString } = azureResources.appSettings;

/**
 * The Azure Monitor OpenTelemetry options for the app's settings, undefined when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is not set (local runs, tests: nothing is exported).
 * APPLICATIONINSIGHTS_AUTHENTICATION_STRING `ClientId=<id>;Authorization=AAD` sends with that managed
 * identity's token (the Bicep turns the component's local auth off); `Authorization=AAD` alone, with the
 * system-assigned identity.
 */
export function azureMonitorOptions(env: Record<string, string | undefined> = process.env): AzureMonitorOpenTelemetryOptions | undefined {
  const connectionString = env[applicationInsightsConnectionString]?.trim();
  if (!connectionString) return undefined;
  const authentication = parseAuthenticationString(env[applicationInsightsAuthenticationString]);
  const credential = authentication.Authorization?.toUpperCase() === "AAD" ? new ManagedIdentityCredential(authentication.ClientId ? { clientId: authentication.ClientId } : {}) : undefined;
  return { azureMonitorExporterOptions: { connectionString, credential } };
}

function parseAuthenticationString(text: string | undefined): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const pair of (text ?? "").split(";")) {
    const separator = pair.indexOf("=");
    if (separator > 0) parts[pair.slice(0, separator).trim()] = pair.slice(separator + 1).trim();
  }
  return parts;
}

let started = false;

/**
 * Registers the Azure Monitor OpenTelemetry distro (meter, tracer and logger providers exporting to
 * Application Insights) once per worker process, when the app is configured for it. Loaded lazily so an
 * app without a connection string never loads the SDK.
 * @returns whether it is (now) started.
 */
export function startAzureMonitor(env: Record<string, string | undefined> = process.env): boolean {
  if (started) return true;
  const options = azureMonitorOptions(env);
  if (!options) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { useAzureMonitor } = require("@azure/monitor-opentelemetry") as typeof import("@azure/monitor-opentelemetry");
  useAzureMonitor(options);
  started = true;
  return true;
}
