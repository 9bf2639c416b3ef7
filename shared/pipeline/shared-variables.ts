import type { ParameterCollection, Value } from "../model";

/** The shared variable that carries the request's `tag` parameter. */
const TAG_VARIABLE = "tag";

/**
 * An operation's SharedVariables. The caller's `tag` (the request parameter) is immutable (§A.5): a step's
 * write to it (set, delete, clear) has no effect, so every later step still sees the caller's value.
 * Without a tag from the caller, `tag` is an ordinary variable.
 */
export class SharedVariables extends Map<string, Value> implements ParameterCollection {
  private readonly tag?: string;

  constructor(tag?: string) {
    // Map's constructor would call the overridden set before `tag` is assigned: start empty.
    super();
    this.tag = tag;
    if (tag !== undefined) super.set(TAG_VARIABLE, tag);
  }

  override set(key: string, value: Value): this {
    return this.isTag(key) ? this : super.set(key, value);
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
