const pattern = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO-8601 duration such as `PT1M`, `PT20S`, `P14D`, `P10675199DT2H48M5.4775807S`. */
export function parseIsoDuration(text: string): number {
  const match = pattern.exec(text.trim().toUpperCase());
  if (!match || text.trim().toUpperCase() === "P" || text.trim().toUpperCase().endsWith("T")) {
    throw new RangeError(`"${text}" is not an ISO-8601 duration (e.g. PT1M, PT20S, P14D)`);
  }
  const [, days, hours, minutes, seconds] = match;
  const ms = (Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0)) * 1000;
  return Math.min(ms, Number.MAX_SAFE_INTEGER);
}
