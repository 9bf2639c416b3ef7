import { DATAVERSE_ERRORS, PipelineError, isPipelineError } from "../errors";
import { EntityReference, type RemoteExecutionContext } from "../model";
import type { PluginCatalog } from "../plugins/catalog";
import { checkedDetails, isInvalidPluginExecutionError } from "../plugins/errors";
import type { IOrganizationService, IOrganizationServiceFactory, IPlugin, PluginExecution } from "../plugins/types";
import { checkContextValues } from "./context-values";
import type { OrganizationNotifications } from "./ports";
import type { StepRegistration } from "./registrations";
import { TraceBuffer, traceLine, type TraceLog } from "./trace-log";

export const UNEXPECTED_ISV_ERROR = "An unexpected error occurred from ISV code.";
export const TIMEOUT_MESSAGE = "The plug-in execution failed because the operation has timed-out at the Sandbox Host.";

export interface StepRun {
  /** The organization the step runs in: its notification service posts to this organization's endpoints only. */
  organization: string;
  step: StepRegistration;
  context: RemoteExecutionContext;
  /** The step's organization services: its own (`stepService`) and other users'. */
  organizationServices: IOrganizationServiceFactory & { readonly stepService: IOrganizationService };
  /** Set when the step's time is up: its later service calls then fail. */
  timeLimit: TimeLimit;
}

/** Whether a step's time is up (a flag its organization service reads before each call). */
export class TimeLimit {
  exceeded = false;
}

/**
 * Runs one step's event handler with its time limit, turning what it throws into Dataverse's errors
 * (InvalidPluginExecutionError → its message, 0x80040265; a platform error from a nested call → as is;
 * anything else → "An unexpected error occurred from ISV code.", details only in the trace log; a value
 * the plug-in left in its context that no context can hold → 0x80040224 naming it), and records the
 * execution in the trace log.
 */
export class StepRunner {
  /** Keyed by what constructs an instance: registrations reload every few seconds, plug-ins need not. */
  private readonly instances = new Map<string, IPlugin>();
  private readonly keys = new WeakMap<StepRegistration, { id: string; typeName: string; configuration: string | null; secureConfiguration: string | null; key: string }>();

  constructor(
    private readonly plugins: PluginCatalog,
    private readonly notifications: OrganizationNotifications,
    private readonly timeoutMs: number,
  ) {}

  async run(run: StepRun, trace: TraceLog): Promise<void> {
    const { step, context } = run;
    const traced = new TraceBuffer();
    const startedAt = new Date();
    const started = performance.now();
    let exception: string | undefined;
    try {
      const pending = this.invoke(run, traced);
      if (pending) await this.withTimeLimit(run, pending, started);
      else if (performance.now() - started > this.timeoutMs) throw this.timedOut(run);
    } catch (error) {
      exception = describe(error);
      throw translate(error, step, traced.lines);
    } finally {
      trace.add({
        typeName: step.handler.kind === "plugintype" ? step.handler.typeName : step.handler.name,
        stepId: step.id,
        messageName: context.messageName,
        primaryEntity: context.primaryEntityName,
        mode: context.mode,
        depth: context.depth,
        correlationId: context.correlationId,
        requestId: context.requestId ?? context.operationId,
        startedAt,
        durationMs: performance.now() - started,
        lines: traced.lines,
        exception,
      });
    }
  }

  /**
   * Starts the step's event handler; undefined when it finished synchronously (a plug-in whose `execute`
   * returned no promise): no timer can fire while it runs, so it needs none; its time is checked once it returns.
   */
  private invoke(run: StepRun, traced: TraceBuffer): Promise<void> | undefined {
    const { step, context } = run;
    const notificationService = this.notifications(run.organization);
    if (step.handler.kind === "serviceendpoint") {
      return notificationService.execute(new EntityReference("serviceendpoint", step.handler.id, step.handler.name || null), context).then(() => undefined);
    }
    const execution: PluginExecution = {
      context: Object.freeze(context),
      organizationService: run.organizationServices.stepService,
      organizationServiceFactory: run.organizationServices,
      tracingService: { trace: (format, ...args) => traced.add(traceLine(format, args)) },
      notificationService,
    };
    const result: unknown = this.instance(step).execute(execution);
    if (!isThenable(result)) {
      checkContextValues(context);
      return undefined;
    }
    return Promise.resolve(result).then(() => checkContextValues(context));
  }

  /** One instance per step registration, reused until the step changes (plug-ins must be stateless, as in Dataverse). */
  private instance(step: StepRegistration): IPlugin {
    const key = this.instanceKey(step);
    let instance = this.instances.get(key);
    if (!instance) {
      if (step.handler.kind !== "plugintype") throw new PipelineError("Internal", "Only plug-in steps have instances.");
      if (!this.plugins.has(step.handler.typeName)) {
        throw new PipelineError("PluginUnexpected", `Unable to load plug-in type '${step.handler.typeName}' of step ${step.id}: it is not deployed with this app.`);
      }
      instance = this.plugins.instantiate(step.handler.typeName, step.configuration, step.secureConfiguration);
      const stepPrefix = `${JSON.stringify([step.id]).slice(0, -1)},`;
      for (const stale of this.instances.keys()) if (stale.startsWith(stepPrefix)) this.instances.delete(stale);
      this.instances.set(key, instance);
    }
    return instance;
  }

  /** What constructs a step's instance, as a key; made once per registration object (this runs for every step of every request). */
  private instanceKey(step: StepRegistration): string {
    const typeName = step.handler.kind === "plugintype" ? step.handler.typeName : "";
    const known = this.keys.get(step);
    if (known && known.id === step.id && known.typeName === typeName && known.configuration === step.configuration && known.secureConfiguration === step.secureConfiguration) return known.key;
    const key = JSON.stringify([step.id, typeName, step.configuration, step.secureConfiguration]);
    this.keys.set(step, { id: step.id, typeName, configuration: step.configuration, secureConfiguration: step.secureConfiguration, key });
    return key;
  }

  /** Waits for `work` (started at `started`) up to the time limit; then the step's later service calls fail. */
  /** The step's time is up: its later service calls fail, and so does the step. */
  private timedOut(run: StepRun): PipelineError {
    run.timeLimit.exceeded = true;
    return new PipelineError("Timeout", TIMEOUT_MESSAGE, { retryable: false });
  }

  private async withTimeLimit(run: StepRun, work: Promise<void>, started: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.timedOut(run)), Math.max(0, this.timeoutMs - (performance.now() - started)));
    });
    try {
      await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/** Dataverse's error annotations (`Prefer: odata.include-annotations`) of a failed plug-in. */
export const ERROR_ANNOTATIONS = {
  operationStatus: "Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus",
  subErrorCode: "Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode",
  helpLink: "Microsoft.PowerApps.CDS.HelpLink",
  traceText: "Microsoft.PowerApps.CDS.TraceText",
  innerErrorMessage: "Microsoft.PowerApps.CDS.InnerError.Message",
} as const;

/**
 * A plug-in's error as the caller sees it: InvalidPluginExecutionError → its message (0x80040265; its
 * httpStatus, if set, as the status; its OperationStatus and errorCode among the annotations); a platform
 * error (e.g. from a nested call) as it is; anything else → the ISV message, its details only in the trace log.
 * Both of the plug-in's own errors carry the trace text of the step that failed, as Dataverse's do.
 */
function translate(error: unknown, step: StepRegistration, lines: string[]): PipelineError {
  if (isPipelineError(error)) return error;
  const trace = traceText(step, lines);
  const translated = pluginError(error, trace);
  if (lines.length > 0) tracedFailures.set(translated, trace);
  return translated;
}

/** The failures of steps whose plug-in traced something, with their TraceText. */
const tracedFailures = new WeakMap<PipelineError, string>();

/**
 * The TraceText of the step whose plug-in failed with `error`, when it traced anything: an asynchronous step's
 * system job shows it after the error's message, as Dataverse shows the trace of a failed asynchronous plug-in
 * in its system job.
 */
export function failedStepTrace(error: unknown): string | undefined {
  return isPipelineError(error) ? tracedFailures.get(error) : undefined;
}

function pluginError(error: unknown, trace: string): PipelineError {
  if (isInvalidPluginExecutionError(error)) {
    const { message } = error;
    const { errorCode, httpStatus, status } = checkedDetails(error);
    return new PipelineError("PluginCancelled", String(message), {
      cause: error,
      ...(httpStatus && { httpStatus }),
      annotations: {
        [ERROR_ANNOTATIONS.operationStatus]: String(status),
        ...(errorCode !== undefined && { [ERROR_ANNOTATIONS.subErrorCode]: String(errorCode) }),
        [ERROR_ANNOTATIONS.helpLink]: helpLink(DATAVERSE_ERRORS.PluginCancelled.code),
        [ERROR_ANNOTATIONS.traceText]: trace,
        [ERROR_ANNOTATIONS.innerErrorMessage]: message,
      },
    });
  }
  return new PipelineError("PluginUnexpected", UNEXPECTED_ISV_ERROR, {
    cause: error,
    annotations: { [ERROR_ANNOTATIONS.helpLink]: helpLink(DATAVERSE_ERRORS.PluginUnexpected.code), [ERROR_ANNOTATIONS.traceText]: trace },
  });
}

/** Dataverse's help link for an error code (`0x80040265` → `…error=Microsoft.Crm.CrmException%3a80040265…`). */
function helpLink(code: string): string {
  return `http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a${code.replace(/^0x/, "")}&client=platform`;
}

/** The TraceText of a step's execution in Dataverse's layout: the type, the step, then the lines the plug-in traced. */
function traceText(step: StepRegistration, lines: string[]): string {
  const typeName = step.handler.kind === "plugintype" ? step.handler.typeName : step.handler.name;
  const assembly = typeName.split(".")[0];
  return `\r\n[${assembly}: ${typeName} ]\r\n[${step.id}: ${step.name}] \r\n\r\n ${lines.join("\r\n")}\r\n\r\n`;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
