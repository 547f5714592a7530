/**
 * The surface of `@igniter/native` that core relies on (a boundary type: the addon's own
 * generated typings stay private to that package). Errors thrown by the addon are plain
 * `Error`s whose `code` is an Igniter error code.
 */
export interface NativeBinding {
  /** Version of the boundary; core refuses an addon whose ABI it does not know. */
  abiVersion(): number;
  /** Version of the Rust crate. */
  crateVersion(): string;
  /** RFC 8785 canonical form of JSON text. */
  canonicalJson(jsonText: string): string;
  /** SHA-256 hex of the canonical form of JSON text. */
  valueHash(jsonText: string): string;
  /** SHA-256 hex of the UTF-8 bytes of a string. */
  sha256Hex(text: string): string;
}

/** The boundary version this build of core speaks. */
export const NATIVE_ABI_VERSION = 1;
