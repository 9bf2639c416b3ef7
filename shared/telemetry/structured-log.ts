import { context as otelContext } from "@opentelemetry/api";
import { logs, SeverityNumber, type Logger, type LoggerProvider } from "@opentelemetry/api-logs";
import { maskSecrets, toPipelineError } from "../errors";
import { azureMonitorStarted } from "./azure-monitor";
import { currentInvocation, type InvocationLogger } from "./invocation-scope";

/** The events the app logs: `customDimensions.event` in Application Insights. */
export const LOG_EVENTS = {
  jobAttempt: "systemJobAttempt",
  post: "serviceEndpointPost",
  listenerReceipt: "listenerReceipt",
  sweep: "systemJobSweep",
  webApiFailure: "webApiFailure",
  jobsNotStarted: "systemJobsNotStarted",
  jobChangeNotTold: "systemJobChangeNotTold",
  jobContextNotDeleted: "systemJobContextNotDeleted",
  traceLogNotWritten: "pluginTraceLogNotWritten",
} as const;

export type LogSeverity = "information" | "warning" | "error";

/** A field's value: ids, names, codes, counts, flags. Never a body, a credential or a whole list. */
export type LogFieldValue = string | number | boolean | undefined;

/** One thing the app did, as every log line of the app says it. */
export interface LogEvent {
  event: (typeof LOG_EVENTS)[keyof typeof LOG_EVENTS];
  severity: LogSeverity;
  /** One readable sentence (the `message` column). */
  message: string;
  /** What a query filters on; undefined fields are left out. */
  fields: Record<string, LogFieldValue>;
}

/**
 * Writes a log event. `invocation`: the logger of the invocation it belongs to, when the caller has it;
 * else the invocation the code runs in (see invocation-scope.ts).
 */
export type StructuredLog = (event: LogEvent, invocation?: InvocationLogger) => void;

export interface StructuredLogOptions {
  /** Emit OpenTelemetry log records with this provider (tests); default: the global one while Azure Monitor is on. */
  loggerProvider?: LoggerProvider;
}

const LOGGER_NAME = "event-pipeline";

const SEVERITY_NUMBERS: Record<LogSeverity, SeverityNumber> = {
  information: SeverityNumber.INFO,
  warning: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

/** The names Application Insights shows in `severityLevel` (1, 2, 3) and the OpenTelemetry severity text. */
const SEVERITY_TEXTS: Record<LogSeverity, string> = { information: "Information", warning: "Warning", error: "Error" };

function definedFields(fields: LogEvent["fields"]): Record<string, string | number | boolean> {
  const defined: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) defined[name] = value;
  return defined;
}

/**
 * The app's one way to log what it did. With Azure Monitor on (or a provider given), an OpenTelemetry log
 * record: the message as its body, `event` and the fields as attributes (Application Insights:
 * `traces.customDimensions`), in the active context, so it belongs to the invocation's operation. Else
 * one JSON line through the invocation's logger at the event's level (the local host shows level and
 * invocation), or through the console outside any invocation.
 */
export function createStructuredLog(options: StructuredLogOptions = {}): StructuredLog {
  // Taken once: the global provider is set when Azure Monitor starts and does not change after.
  let otelLogger: Logger | undefined;
  return (event, invocation) => {
    const fields = definedFields(event.fields);
    if (options.loggerProvider || azureMonitorStarted()) {
      otelLogger ??= (options.loggerProvider ?? logs.getLoggerProvider()).getLogger(LOGGER_NAME);
      otelLogger.emit({
        severityNumber: SEVERITY_NUMBERS[event.severity],
        severityText: SEVERITY_TEXTS[event.severity],
        body: event.message,
        attributes: { event: event.event, ...fields },
        context: otelContext.active(),
      });
      return;
    }
    const line = JSON.stringify({ event: event.event, message: event.message, ...fields });
    const target: InvocationLogger = invocation ?? currentInvocation() ?? console;
    if (event.severity === "error") target.error(line);
    else if (event.severity === "warning") target.warn(line);
    else target.info(line);
  };
}

/** The app's structured log (its sink chosen per event: Azure Monitor's once started). */
export const structuredLog: StructuredLog = createStructuredLog();

/** How many ids a log field lists at most; the count field says how many there were. */
export const LOGGED_IDS_LIMIT = 50;

/** A list of ids for a field: the first LOGGED_IDS_LIMIT, comma-separated (an attribute is a string). */
export function boundedIds(ids: readonly string[]): string {
  const shown = ids.slice(0, LOGGED_IDS_LIMIT).join(",");
  return ids.length > LOGGED_IDS_LIMIT ? `${shown},…` : shown;
}

/** How many characters of an error's message a log field keeps. */
const LOGGED_MESSAGE_LIMIT = 500;

/**
 * An error as log fields: `errorCode` (its PipelineError code) and `errorMessage` (its message's first
 * line, credential-like values masked, at most LOGGED_MESSAGE_LIMIT characters; never a stack or a body).
 */
function errorFields(error: unknown): { errorCode: string; errorMessage: string } {
  const failure = toPipelineError(error);
  const firstLine = failure.message.split("\n", 1)[0];
  const message = maskSecrets(firstLine);
  return { errorCode: failure.code, errorMessage: message.length > LOGGED_MESSAGE_LIMIT ? `${message.slice(0, LOGGED_MESSAGE_LIMIT)}…` : message };
}

/**
 * The event of something that failed without failing what the app was doing: `message` is given the
 * cause as `code: first line`, and the fields get `errorCode` and `errorMessage` (see errorFields).
 */
export function failureEvent(event: LogEvent["event"], severity: LogSeverity, error: unknown, message: (cause: string) => string, fields: LogEvent["fields"]): LogEvent {
  const { errorCode, errorMessage } = errorFields(error);
  return { event, severity, message: message(`${errorCode}: ${errorMessage}`), fields: { ...fields, errorCode, errorMessage } };
}
