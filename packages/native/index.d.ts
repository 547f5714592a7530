/**
 * @igniter/native: Igniter's Rust hot path as a Node-API addon.
 *
 * Every function is synchronous. A failure throws a {@link NativeError}, whose `code` is the
 * same stable code `@igniter/core` throws from its TypeScript engine.
 *
 * Loading this module throws an `Error` with `code` `"ERR_NATIVE_UNAVAILABLE"` when the addon
 * was not built (no Rust toolchain) and no prebuilt binary exists for the platform.
 */

/** Codes a native function can throw. */
export type NativeErrorCode = 'ERR_INVALID_VALUE' | 'ERR_VALUE_TOO_LARGE' | 'ERR_INVALID_ARGUMENT';

/** What every function of this package throws. */
export interface NativeError extends Error {
  /** Stable error code, identical across engines. */
  readonly code: NativeErrorCode;
}

/**
 * Version of the addon's JS surface, `1`. `@igniter/core` refuses an addon with another one.
 * Cost: constant.
 */
export declare function abiVersion(): number;

/** Version of the Rust crates the addon was built from, e.g. `"0.1.0"`. Cost: constant. */
export declare function crateVersion(): string;

/**
 * RFC 8785 canonical JSON of the value written as `jsonText`: no whitespace, object keys
 * sorted by UTF-16 code units, every number an IEEE double in ECMAScript formatting (`1.0` ->
 * `1`, `-0` -> `0`, `1e21` -> `1e+21`), minimal string escaping.
 *
 * @throws {NativeError} `ERR_INVALID_VALUE` when `jsonText` is not exactly one JSON value, or
 *   holds a number that overflows a double (`1E400`), a lone UTF-16 surrogate (escaped or raw)
 *   or a duplicate object key; `ERR_INVALID_ARGUMENT` when `jsonText` is not a string.
 *
 * Cost: linear in the length of `jsonText` plus sorting each object's keys; one copy of the
 * text into native memory. Any nesting depth is accepted.
 */
export declare function canonicalJson(jsonText: string): string;

/**
 * Lowercase hex SHA-256 of the UTF-8 bytes of `canonicalJson(jsonText)`.
 *
 * @throws {NativeError} as {@link canonicalJson} does.
 *
 * Cost: that of {@link canonicalJson} plus one SHA-256 pass over the canonical bytes.
 */
export declare function valueHash(jsonText: string): string;

/**
 * Lowercase hex SHA-256 of the UTF-8 bytes of `text` (a lone surrogate is encoded as U+FFFD,
 * as `Buffer.from(text)` does).
 *
 * @throws {NativeError} `ERR_INVALID_ARGUMENT` when `text` is not a string.
 *
 * Cost: one SHA-256 pass over the UTF-8 bytes of `text`.
 */
export declare function sha256Hex(text: string): string;
