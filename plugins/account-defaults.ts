import { InvalidPluginExecutionError, Entity, type IPlugin, type PluginExecution } from "../shared/plugins";

/**
 * Sample plug-in: on account Create (register it in stage 20, Pre-operation), fills in a default
 * telephone number and rejects names that are too short. The unsecure configuration, when given, is
 * the default number.
 */
export class AccountDefaults implements IPlugin {
  private readonly defaultTelephone: string;

  constructor(unsecureConfig: string | null) {
    this.defaultTelephone = unsecureConfig?.trim() || "+1 555 0100";
  }

  async execute({ context, tracingService }: PluginExecution): Promise<void> {
    const target = context.inputParameters.get("Target");
    if (!(target instanceof Entity) || target.logicalName !== "account") return;
    const name = target.get<string>("name");
    if (typeof name === "string" && name.trim().length < 2) throw new InvalidPluginExecutionError("An account name needs at least two characters.");
    if (!target.has("telephone1")) {
      target.set("telephone1", this.defaultTelephone);
      tracingService.trace("telephone1 defaulted to %s", this.defaultTelephone);
    }
  }
}
