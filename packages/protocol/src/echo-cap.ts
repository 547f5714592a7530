import type { Json, JsonObject } from '@igniter/core';

/** The most characters of a caller-supplied field a rejection echoes (API v1 amendments). */
export const MAX_ECHO_CHARS = 256;
/** The most characters of a rejection message, whatever it embeds. */
const MAX_MESSAGE_CHARS = 1024;
/** How deep and how many fields of a packet are searched for long strings a message may embed. */
const SEARCH_DEPTH = 3;
const SEARCH_FIELDS = 64;

/**
 * `text` cut to {@link MAX_ECHO_CHARS} characters (never splitting a surrogate pair) with a
 * marker saying how long it was; shorter text unchanged. Cost: O(MAX_ECHO_CHARS).
 */
export function capEcho(text: string, max = MAX_ECHO_CHARS): string {
  if (text.length <= max) return text;
  let cut = max;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}... (${text.length} characters)`;
}

/** `value` with every string in it capped by {@link capEcho} (details of a rejection). */
export function capStrings<T extends Json | undefined>(value: T): T {
  if (typeof value === 'string') return capEcho(value) as T;
  if (Array.isArray(value)) return value.map((v) => capStrings(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[capEcho(k)] = capStrings(v);
    return out as T;
  }
  return value;
}

/** The strings longer than the cap in a request (three levels deep, 64 fields at most). */
export function longStrings(request: unknown): string[] {
  const found: string[] = [];
  let seen = 0;
  const walk = (value: unknown, depth: number): void => {
    if (seen >= SEARCH_FIELDS) return;
    seen += 1;
    if (typeof value === 'string') {
      if (value.length > MAX_ECHO_CHARS) found.push(value);
    } else if (depth < SEARCH_DEPTH && value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        // A field name is echoed too ("unknown field: ...").
        if (k.length > MAX_ECHO_CHARS) found.push(k);
        walk(v, depth + 1);
      }
    }
  };
  try {
    walk(request, 0);
  } catch {
    // A request whose fields throw when read (a bug of the caller's): what was found so far.
  }
  return found;
}

/**
 * A rejection message with every caller-supplied string of `echoed` that it embeds capped, and
 * the whole cut to 1024 characters. Cost: O(message length x echoed strings).
 */
export function capMessage(message: string, echoed: readonly (string | undefined)[]): string {
  let out = message;
  for (const text of echoed) {
    if (text === undefined || text.length <= MAX_ECHO_CHARS) continue;
    out = out.split(text).join(capEcho(text));
    const quoted = JSON.stringify(text);
    out = out.split(quoted.slice(1, -1)).join(capEcho(quoted.slice(1, -1)));
  }
  return capEcho(out, MAX_MESSAGE_CHARS);
}
