/** Resolves an app-setting reference (`%Name%`) in a binding property, as the Functions host does. */
export function resolveSetting(value: unknown, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (typeof value !== "string") return undefined;
  const reference = /^%(.+)%$/.exec(value);
  return reference ? env[reference[1]] : value;
}

/**
 * A connection setting's value: `<name>`, or for Service Bus also `<name>__fullyQualifiedNamespace`
 * (identity-based; not usable locally, so reported as missing).
 */
export function connectionString(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[name] || env[`ConnectionStrings:${name}`] || undefined;
}
