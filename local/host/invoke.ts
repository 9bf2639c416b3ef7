import { randomUUID } from "node:crypto";
import type { CoreApi, RegisteredFunction } from "./core-api";
import type { CoreInvocationContext, RpcInvocationRequest, RpcInvocationResponse, RpcLogCategory, RpcLogLevel, RpcParameterBinding, RpcTypedData } from "./core-types";
import type { HostLogger } from "./logger";

export interface InvocationInput {
  /** Input data by binding name (the trigger's and any extra inputs the host supplies). */
  inputData: RpcParameterBinding[];
  triggerMetadata?: Record<string, RpcTypedData>;
  invocationId?: string;
  retryContext?: RpcInvocationRequest["retryContext"];
  /** The caller's trace context; default a new trace, as the host starts one for a trigger without any. */
  traceContext?: RpcInvocationRequest["traceContext"];
}

export type InvocationOutcome =
  | { ok: true; invocationId: string; response: RpcInvocationResponse; context: unknown }
  | { ok: false; invocationId: string; error: unknown; context: unknown };

const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/;

/**
 * `length` (≤ 32) random hex digits, never all zeros (W3C forbids an all-zero trace or span id): from
 * randomUUID, which draws on a cached entropy pool, where a randomBytes call per id cost a sync syscall
 * on every invocation.
 */
function randomHex(length: number): string {
  for (;;) {
    const hex = randomUUID().replace(/-/g, "").slice(0, length);
    if (!/^0+$/.test(hex)) return hex;
  }
}

/**
 * The trace context the host hands an invocation: a span of its own, a child of the caller's W3C
 * `traceparent` when one came with the trigger (an HTTP request's header), else the root of a new trace.
 */
export function invocationTraceContext(traceparent?: string, tracestate?: string): NonNullable<RpcInvocationRequest["traceContext"]> {
  const caller = TRACEPARENT.exec(traceparent?.trim().toLowerCase() ?? "");
  const traceId = caller && !/^0+$/.test(caller[1]) ? caller[1] : randomHex(32);
  return { traceParent: `00-${traceId}-${randomHex(16)}-${caller ? caller[2] : "01"}`, traceState: caller ? (tracestate ?? "") : "", attributes: {} };
}

/**
 * Runs one invocation exactly as the Node worker does, through the app's programming model:
 * getInvocationModel → getArguments → preInvocation hooks → invokeFunction → postInvocation hooks →
 * getResponse. Logs one line per invocation with its duration and outcome.
 */
export async function invokeRegisteredFunction(core: CoreApi, fn: RegisteredFunction, input: InvocationInput, logger: HostLogger): Promise<InvocationOutcome> {
  const model = core.programmingModel;
  if (!model) throw new Error("The app registered functions but no programming model; is @azure/functions loaded?");
  const invocationId = input.invocationId ?? randomUUID();
  const name = fn.metadata.name;
  const request: RpcInvocationRequest = {
    invocationId,
    functionId: fn.metadata.functionId ?? name,
    inputData: input.inputData,
    triggerMetadata: input.triggerMetadata ?? {},
    retryContext: input.retryContext,
    traceContext: input.traceContext ?? invocationTraceContext(),
  };
  let invocationContext: unknown;
  const coreContext: CoreInvocationContext = {
    invocationId,
    request,
    metadata: fn.metadata,
    log: (level: RpcLogLevel, category: RpcLogCategory, message: string) => {
      const hookContext = { hookData: {}, appHookData: core.appHookData, invocationContext, level, message, category };
      if (category === "user") for (const hook of core.hooks.log) hook(hookContext);
      logger.functionLog(name, invocationId, hookContext.level, hookContext.message);
    },
  };
  const started = process.hrtime.bigint();
  const finish = (outcome: "Succeeded" | "Failed", error?: unknown) =>
    logger.invocation(name, invocationId, Number(process.hrtime.bigint() - started) / 1e6, outcome, error);
  try {
    const invocationModel = await model.getInvocationModel(coreContext);
    const { context, inputs: initialInputs } = await invocationModel.getArguments();
    invocationContext = context;
    const hookData: Record<string, unknown> = {};
    const pre = { hookData, appHookData: core.appHookData, invocationContext: context, inputs: initialInputs, functionCallback: fn.callback };
    coreContext.state = "preInvocationHooks";
    await core.runHooks("preInvocation", pre);
    coreContext.state = undefined;
    const post: Record<string, unknown> = { hookData, appHookData: core.appHookData, invocationContext: context, inputs: pre.inputs, result: null, error: null };
    coreContext.state = "invocation";
    try {
      post.result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback);
    } catch (error) {
      post.error = error;
    } finally {
      coreContext.state = undefined;
    }
    coreContext.state = "postInvocationHooks";
    await core.runHooks("postInvocation", post);
    coreContext.state = undefined;
    if (post.error !== null && post.error !== undefined) throw post.error;
    const response = await invocationModel.getResponse(context, post.result);
    finish("Succeeded");
    return { ok: true, invocationId, response, context };
  } catch (error) {
    finish("Failed", error);
    return { ok: false, invocationId, error, context: invocationContext };
  }
}

/** The value a binding's typed data carries, as the library's fromRpcTypedData would read it. */
export function typedDataToJsonText(data: RpcTypedData | null | undefined): string {
  if (!data) return "null";
  if (typeof data.json === "string") return data.json;
  if (typeof data.string === "string") return JSON.stringify(data.string);
  if (typeof data.int === "number") return String(data.int);
  if (typeof data.double === "number") return String(data.double);
  if (data.bytes) return JSON.stringify(Buffer.from(data.bytes).toString("base64"));
  return "null";
}
