import { azureResources } from "../config/azure-resources";
import { readSecondsSettingMs } from "../config/seconds-setting";

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
  return { stepTimeoutMs: readSecondsSettingMs(env, PIPELINE_SETTINGS.stepTimeoutSeconds) ?? DEFAULT_STEP_TIMEOUT_MS };
}
