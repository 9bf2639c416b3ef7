import { azureResources } from "../config/azure-resources";
import { PipelineError } from "../errors";

/** Dataverse's limit for one plug-in step (§C). */
export const DEFAULT_STEP_TIMEOUT_MS = 2 * 60_000;

export const PIPELINE_SETTINGS = {
  stepTimeoutSeconds: azureResources.appSettings.pluginStepTimeoutSeconds,
} as const;

export interface PipelineSettings {
  stepTimeoutMs: number;
}

/** @throws PipelineError ValidationFailed naming the setting when a value is malformed. */
export function readPipelineSettings(env: Record<string, string | undefined> = process.env): PipelineSettings {
  const text = env[PIPELINE_SETTINGS.stepTimeoutSeconds]?.trim();
  if (!text) return { stepTimeoutMs: DEFAULT_STEP_TIMEOUT_MS };
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new PipelineError("ValidationFailed", `Setting ${PIPELINE_SETTINGS.stepTimeoutSeconds}: '${text}' is not a positive number of seconds.`);
  }
  return { stepTimeoutMs: Math.round(seconds * 1000) };
}
