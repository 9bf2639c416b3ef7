import { PipelineError } from "../errors";
import { SUPPORTED_VALUES, unsupportedValue, type ParameterCollection, type RemoteExecutionContext } from "../model";

/**
 * Refuses a value a plug-in put where the execution context cannot hold it (it could not be serialized, §A.5):
 * the plug-in's error (0x80040224) naming the place, e.g. `SharedVariables["total"]`, so the operation
 * fails and nothing is written whether or not a later (asynchronous) step would have serialized it.
 */
export function checkContextValue(place: string | (() => string), value: unknown): void {
  const problem = unsupportedValue(value);
  if (problem) {
    const named = typeof place === "string" ? place : place();
    throw new PipelineError("PluginUnexpected", `The value of ${named} is ${problem}, which an execution context cannot hold (it cannot be serialized). Use ${SUPPORTED_VALUES}.`);
  }
}

/** Checks what a plug-in may have changed in its context: InputParameters (Target's attributes), OutputParameters, SharedVariables. */
export function checkContextValues(context: RemoteExecutionContext): void {
  checkCollection("InputParameters", context.inputParameters);
  checkCollection("OutputParameters", context.outputParameters);
  checkCollection("SharedVariables", context.sharedVariables);
}

function checkCollection(name: string, collection: ParameterCollection): void {
  // The place is named only for a value refused: this runs after every step.
  for (const [key, value] of collection) if (unsupportedValue(value)) checkContextValue(`${name}[${JSON.stringify(key)}]`, value);
}
