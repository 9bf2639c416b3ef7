import type { ParameterCollection, Value } from "../model";
import { checkContextValue } from "./context-values";

/** The shared variable that carries the request's `tag` parameter. */
const TAG_VARIABLE = "tag";

/**
 * An operation's SharedVariables. The caller's `tag` (the request parameter) is immutable (§A.5): a step's
 * write to it (set, delete, clear) has no effect, so every later step still sees the caller's value.
 * Without a tag from the caller, `tag` is an ordinary variable. A value no context can hold (a function, a
 * plain object, a JS Date) is refused when set, as its serialization would fail.
 */
export class SharedVariables extends Map<string, Value> implements ParameterCollection {
  private readonly tag?: string;

  constructor(tag?: string) {
    // Map's constructor would call the overridden set before `tag` is assigned: start empty.
    super();
    this.tag = tag;
    if (tag !== undefined) super.set(TAG_VARIABLE, tag);
  }

  /** @throws PipelineError (PluginUnexpected, naming the key) for a value the context cannot hold, e.g. a function. */
  override set(key: string, value: Value): this {
    if (this.isTag(key)) return this;
    checkContextValue(() => `SharedVariables[${JSON.stringify(key)}]`, value);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    return this.isTag(key) ? false : super.delete(key);
  }

  override clear(): void {
    super.clear();
    if (this.tag !== undefined) super.set(TAG_VARIABLE, this.tag);
  }

  private isTag(key: string): boolean {
    return this.tag !== undefined && key === TAG_VARIABLE;
  }
}
