import { isPipelineError } from "../../shared/errors";

/** `"<code>: <message>"` of the PipelineError `call` throws; fails the test when it throws nothing or something else. */
export function refusal(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (isPipelineError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error("accepted");
}
