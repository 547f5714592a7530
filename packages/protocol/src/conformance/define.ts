import type { Capability, CheckContext, ConformanceCheck } from './kit.js';

/** Declares a check. */
export function check(
  id: string,
  section: ConformanceCheck['section'],
  title: string,
  run: (context: CheckContext) => Promise<void>,
  requires: readonly Capability[] = [],
): ConformanceCheck {
  return Object.freeze({ id, section, title, requires: Object.freeze([...requires]), run });
}

/** 64 lowercase hex characters. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
