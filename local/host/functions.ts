import type { CoreApi, RegisteredFunction } from "./core-api";
import type { RpcBindingInfo, RpcInvocationResponse, RpcParameterBinding } from "./core-types";
import { invokeRegisteredFunction, type InvocationInput, type InvocationOutcome } from "./invoke";
import type { HostLogger } from "./logger";

export interface TriggerBinding {
  name: string;
  binding: RpcBindingInfo;
  type: string;
}

/** The trigger of a registration: the binding whose direction is `in` and whose type ends in `Trigger`. */
export function triggerOf(fn: RegisteredFunction): TriggerBinding {
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    const type = String(binding.type ?? "");
    if (binding.direction === "in" && /trigger$/i.test(type)) return { name, binding, type };
  }
  throw new Error(`Function "${fn.metadata.name}" has no trigger binding`);
}

/** Supplies input data for a binding other than the trigger (e.g. the durable client). */
export type ExtraInputProvider = (binding: RpcBindingInfo, fn: RegisteredFunction) => RpcParameterBinding["data"] | undefined;
/** Delivers an output binding's value (e.g. a Service Bus message); returns false if it does not handle the binding. */
export type OutputHandler = (binding: RpcBindingInfo, data: NonNullable<RpcParameterBinding["data"]>, fn: RegisteredFunction) => Promise<boolean>;

/**
 * The registered functions and the one way to invoke them: trigger input plus the extra inputs the
 * host supplies, through the library's programming model, then the output bindings.
 */
export class FunctionCatalog {
  readonly #inputProviders = new Map<string, ExtraInputProvider>();
  readonly #outputHandlers: OutputHandler[] = [];

  constructor(
    readonly core: CoreApi,
    readonly logger: HostLogger,
  ) {}

  all(): RegisteredFunction[] {
    return [...this.core.functions.values()];
  }

  byTriggerType(type: string): RegisteredFunction[] {
    return this.all().filter((fn) => triggerOf(fn).type.toLowerCase() === type.toLowerCase());
  }

  find(name: string): RegisteredFunction | undefined {
    return this.core.functions.get(name.toLowerCase());
  }

  provideInput(bindingType: string, provider: ExtraInputProvider): void {
    this.#inputProviders.set(bindingType.toLowerCase(), provider);
  }

  handleOutputs(handler: OutputHandler): void {
    this.#outputHandlers.push(handler);
  }

  /** Binding types the app uses that the local host does not supply (reported at startup). */
  unsupportedBindings(): string[] {
    const problems: string[] = [];
    for (const fn of this.all()) {
      for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
        const type = String(binding.type ?? "").toLowerCase();
        if (binding.direction === "in" && !/trigger$/.test(type) && !this.#inputProviders.has(type)) {
          problems.push(`${fn.metadata.name}: input binding "${name}" of type ${binding.type}`);
        }
      }
    }
    return problems;
  }

  async invoke(fn: RegisteredFunction, triggerData: RpcParameterBinding["data"], extra: Omit<InvocationInput, "inputData"> = {}): Promise<InvocationOutcome> {
    const trigger = triggerOf(fn);
    const inputData: RpcParameterBinding[] = [{ name: trigger.name, data: triggerData }];
    for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
      if (name === trigger.name || binding.direction !== "in") continue;
      const provider = this.#inputProviders.get(String(binding.type ?? "").toLowerCase());
      const data = provider?.(binding, fn);
      if (data) inputData.push({ name, data });
    }
    const outcome = await invokeRegisteredFunction(this.core, fn, { ...extra, inputData }, this.logger);
    if (outcome.ok) await this.#deliverOutputs(fn, outcome.response);
    return outcome;
  }

  async #deliverOutputs(fn: RegisteredFunction, response: RpcInvocationResponse): Promise<void> {
    const values: RpcParameterBinding[] = [...(response.outputData ?? [])];
    if (response.returnValue && fn.metadata.bindings.$return) values.push({ name: "$return", data: response.returnValue });
    for (const { name, data } of values) {
      const binding = fn.metadata.bindings[name];
      if (!binding || !data || String(binding.type).toLowerCase() === "http") continue;
      let handled = false;
      for (const handler of this.#outputHandlers) if (!handled) handled = await handler(binding, data, fn);
      if (!handled) this.logger.host("warning", `${fn.metadata.name}: output binding "${name}" of type ${binding.type} is not supported locally; value dropped`);
    }
  }
}
