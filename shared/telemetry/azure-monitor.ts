import { ManagedIdentityCredential } from "@azure/identity";
import type { AzureMonitorOpenTelemetryOptions, InstrumentationOptions } from "@azure/monitor-opentelemetry";
import type { HttpInstrumentationConfig } from "@opentelemetry/instrumentation-http";
import type { RequestOptions } from "node:http";
import { azureResources } from "../config/azure-resources";

const { applicationInsightsConnectionString, applicationInsightsAuthenticationString } = azureResources.appSettings;

/** Azure SDK clients name themselves `azsdk-js-<package>/<version>` in their User-Agent. */
const AZURE_SDK_USER_AGENT = /\bazsdk-js-/;

/** The instance metadata service the distro's resource detection asks at startup: not the app's dependency. */
const AZURE_METADATA_HOST = "169.254.169.254";

function isAzureSdkRequest(request: RequestOptions): boolean {
  const headers = request.headers && !Array.isArray(request.headers) ? request.headers : {};
  const userAgent = Object.entries(headers).find(([name]) => name.toLowerCase() === "user-agent")?.[1];
  return AZURE_SDK_USER_AGENT.test(String(userAgent ?? ""));
}

/**
 * Every instrumentation the distro bundles, on or off on purpose (its defaults turn all of them on). Made
 * anew for each call: the distro writes its own hook into the `http` options it is given.
 */
function instrumentationOptions(): Required<InstrumentationOptions> {
  /**
   * Outgoing HTTP calls that are not an Azure SDK's: the durable client's calls to the host's Durable
   * Functions API. Azure SDK calls already have their span (azureSdk, HTTP child included). Incoming
   * requests are the Functions host's to report; the server side is not patched at all, as an ignored
   * request would run its handler (and so a whole invocation, behind HTTP streaming or the local host)
   * with tracing suppressed.
   */
  const http: HttpInstrumentationConfig = {
    enabled: true,
    disableIncomingRequestInstrumentation: true,
    ignoreOutgoingRequestHook: (request) => isAzureSdkRequest(request) || request.hostname === AZURE_METADATA_HOST || request.host === AZURE_METADATA_HOST,
  };
  return {
    // Tables, Service Bus, Event Hubs and Entra ID token calls, as dependencies of the invocation.
    azureSdk: { enabled: true },
    http,
    mongoDb: { enabled: false },
    mySql: { enabled: false },
    postgreSql: { enabled: false },
    redis: { enabled: false },
    redis4: { enabled: false },
    bunyan: { enabled: false },
    winston: { enabled: false },
  };
}

/**
 * The Azure Monitor OpenTelemetry options for the app's settings, undefined when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is not set (local runs, tests: nothing is exported).
 * APPLICATIONINSIGHTS_AUTHENTICATION_STRING `ClientId=<id>;Authorization=AAD` sends with that managed
 * identity's token (the Bicep turns the component's local auth off); `Authorization=AAD` alone, with the
 * system-assigned identity.
 *
 * Sampling is Application Insights' fixed percentage, decided on the trace id, so an invocation's spans
 * are kept or dropped together, consistently with every other component sampling at the same ratio; spans
 * sampled out still count in the standard metrics. The ratio is 1 here; in Azure the app settings
 * OTEL_TRACES_SAMPLER=microsoft.fixed_percentage and OTEL_TRACES_SAMPLER_ARG=<ratio> (Bicep parameter
 * telemetrySamplingRatio), which the distro reads and puts before these options, set it.
 * `tracesPerSecond: 0` keeps the distro's default rate limiter (5 traces/s per instance) from replacing it.
 */
export function azureMonitorOptions(env: Record<string, string | undefined> = process.env): AzureMonitorOpenTelemetryOptions | undefined {
  const connectionString = env[applicationInsightsConnectionString]?.trim();
  if (!connectionString) return undefined;
  const authentication = parseAuthenticationString(env[applicationInsightsAuthenticationString]);
  const credential = authentication.Authorization?.toUpperCase() === "AAD" ? new ManagedIdentityCredential(authentication.ClientId ? { clientId: authentication.ClientId } : {}) : undefined;
  return {
    azureMonitorExporterOptions: { connectionString, credential },
    samplingRatio: 1,
    tracesPerSecond: 0,
    instrumentationOptions: instrumentationOptions(),
  };
}

function parseAuthenticationString(text: string | undefined): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const pair of (text ?? "").split(";")) {
    const separator = pair.indexOf("=");
    if (separator > 0) parts[pair.slice(0, separator).trim()] = pair.slice(separator + 1).trim();
  }
  return parts;
}

/**
 * Registers the Azure Monitor OpenTelemetry distro (meter, tracer and logger providers exporting to
 * Application Insights), then Microsoft's Azure Functions instrumentation on them, as
 * learn.microsoft.com/azure/azure-functions/opentelemetry-howto describes for Node with host.json
 * `"telemetryMode": "OpenTelemetry"`: it runs each function handler in the invocation's trace context (the
 * host's traceparent), so every span the app makes is a child of the invocation, sends `context.log` lines
 * as OpenTelemetry logs of that invocation, and tells the host (capability WorkerOpenTelemetryEnabled) not
 * to send them again. It patches `@azure/functions` when that is next required: call this before the
 * app's functions register.
 */
function registerAzureMonitor(options: AzureMonitorOpenTelemetryOptions): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when telemetry is on */
  const { useAzureMonitor } = require("@azure/monitor-opentelemetry") as typeof import("@azure/monitor-opentelemetry");
  const { registerInstrumentations } = require("@opentelemetry/instrumentation") as typeof import("@opentelemetry/instrumentation");
  const { AzureFunctionsInstrumentation } = require("@azure/functions-opentelemetry-instrumentation") as typeof import("@azure/functions-opentelemetry-instrumentation");
  useAzureMonitor(options);
  registerInstrumentations({ instrumentations: [new AzureFunctionsInstrumentation()] });
  // The azureSdk instrumentation hooks @azure/core-tracing when it is next required; an SDK loaded before
  // (by this module's @azure/identity, or the local host's own clients) would otherwise never require it again.
  require("@azure/core-tracing");
  /* eslint-enable @typescript-eslint/no-require-imports */
}

let started = false;

/** Whether this process sends its telemetry to Azure Monitor (the structured log then emits OpenTelemetry records). */
export function azureMonitorStarted(): boolean {
  return started;
}

/**
 * Starts telemetry once per worker process, when the app is configured for it. Loaded lazily so an app
 * without a connection string never loads the SDKs.
 * @returns whether it is (now) started.
 */
export function startAzureMonitor(env: Record<string, string | undefined> = process.env): boolean {
  if (started) return true;
  const options = azureMonitorOptions(env);
  if (!options) return false;
  registerAzureMonitor(options);
  started = true;
  return true;
}
