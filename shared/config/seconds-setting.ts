import { PipelineError } from "../errors";

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * An app setting given in seconds, in milliseconds; undefined when it is unset or blank.
 * @throws PipelineError ValidationFailed naming the setting when it is not a positive number of seconds
 *   (with `allowZero`, zero or more).
 */
export function readSecondsSettingMs(env: Environment, name: string, { allowZero = false }: { allowZero?: boolean } = {}): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0 || (seconds === 0 && !allowZero)) {
    throw new PipelineError("ValidationFailed", `Setting ${name}: '${text}' is not ${allowZero ? "zero or a positive number" : "a positive number"} of seconds.`);
  }
  return Math.round(seconds * 1000);
}
