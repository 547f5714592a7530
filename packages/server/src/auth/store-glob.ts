/**
 * A store-name glob of a token: `*` matches any run of characters (also `/` and the empty run);
 * every other character matches itself. Compiled once, matched per request.
 */
export class StoreGlob {
  /** The glob as written. */
  readonly source: string;
  /** True for a glob that matches every name (it contains only `*`). */
  readonly matchesEverything: boolean;
  readonly #pattern: RegExp;

  constructor(source: string) {
    this.source = source;
    this.matchesEverything = source.length > 0 && /^\*+$/.test(source);
    const body = source
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    // 's' lets '.' cross line breaks: a store name may hold any character.
    this.#pattern = new RegExp(`^${body}$`, 's');
  }

  /** True when `store` matches. Cost: one regular-expression test. */
  matches(store: string): boolean {
    return this.#pattern.test(store);
  }
}

/** True when one of `globs` matches `store`; the store `'*'` stands for every store at once. */
export function anyGlobMatches(globs: readonly StoreGlob[], store: string | typeof EVERY_STORE): boolean {
  if (store === EVERY_STORE) return globs.some((glob) => glob.matchesEverything);
  return globs.some((glob) => glob.matches(store));
}

/** Asks for access to every store (an operation that is not about one store). */
export const EVERY_STORE: unique symbol = Symbol('every store');
