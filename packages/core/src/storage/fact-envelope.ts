/**
 * Reads the few fields of a `json-v1` fact body that an index needs (seq, store, key,
 * transaction time, and whether the fact carries state a store restores) straight from its
 * bytes, without parsing the value or building any string. The body is
 * `[1,"<id>",seq,"store","key",value,"hash",causation,tt,vt,schemaVersion,producer,derivation,idempotencyKey]`
 * (ARCHITECTURE.md, "The record format"); the head is read forwards up to the key, the tail backwards up to the
 * transaction time, so the value in between is never walked.
 *
 * Anything unusual (an escape or control byte in the store or key, an id that is not 36 plain
 * ASCII bytes, a seq or time that is not a plain integer of at most 15 digits) makes it
 * decline; the caller then decodes the body in full, which accepts it or names the problem.
 */

/** The fields {@link readEnvelope} found. Offsets index the buffer it was given. */
export interface Envelope {
  seq: number;
  storeStart: number;
  storeEnd: number;
  keyStart: number;
  keyEnd: number;
  transactionTime: number;
  /** The idempotency key is not null. */
  idempotent: boolean;
  /** The producer is an object whose text may hold the key `"kind"` (it may name a lifecycle producer). */
  producerKind: boolean;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LOWER_L = 0x6c;
const ID_LENGTH = 36;
/** Digits that always parse exactly into a double (below 2^53). */
const MAX_DIGITS = 15;
/** `"kind"` as bytes. */
const KIND = [QUOTE, 0x6b, 0x69, 0x6e, 0x64, QUOTE];

/** Offset of the opening quote of the string whose closing quote is at `at`; -1 if none after `floor`. */
function stringStartBefore(buf: Uint8Array, at: number, floor: number): number {
  let p = at;
  for (;;) {
    p--;
    while (p > floor && buf[p] !== QUOTE) p--;
    if (p <= floor) return -1;
    let slashes = 0;
    while (buf[p - 1 - slashes] === BACKSLASH) slashes++;
    // An escaped quote has an odd run of backslashes before it.
    if ((slashes & 1) === 0) return p;
  }
}

/** Offset of the brace or bracket opening the object or array that closes at `at`; -1 if none after `floor`. */
function containerStartBefore(buf: Uint8Array, at: number, floor: number): number {
  let depth = 0;
  for (let p = at; p > floor; p--) {
    const c = buf[p];
    if (c === QUOTE) {
      p = stringStartBefore(buf, p, floor);
      if (p < 0) return -1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth++;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth--;
      if (depth === 0) return p;
    }
  }
  return -1;
}

/**
 * Whether `buf[start, end)` may spell the key `"kind"`: it holds those bytes, or an escape
 * (`"ki\u006ed"` is the same key). A false positive only costs a decode.
 */
function mentionsKind(buf: Uint8Array, start: number, end: number): boolean {
  const last = end - KIND.length;
  outer: for (let p = start; p < end; p++) {
    if (buf[p] === BACKSLASH) return true;
    if (p > last) continue;
    for (let i = 0; i < KIND.length; i++) if (buf[p + i] !== KIND[i]) continue outer;
    return true;
  }
  return false;
}

/** Whether the four bytes ending at `last` are `null`. */
function isNullEndingAt(buf: Uint8Array, last: number): boolean {
  return (
    buf[last] === LOWER_L && buf[last - 1] === LOWER_L && buf[last - 2] === 0x75 && buf[last - 3] === 0x6e
  );
}

/**
 * A plain string's bytes from `at` (just past its opening quote) to its closing quote: its end
 * offset, or -1 for an escape, a control byte or no closing quote before `end`.
 */
function plainStringEnd(buf: Uint8Array, at: number, end: number): number {
  for (let p = at; p < end; p++) {
    const c = buf[p] as number;
    if (c === QUOTE) return p;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

/** The integer of at most 15 digits in `buf[start, end)` (no sign, no leading zero); -1 if it is not one. */
function plainInteger(buf: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length < 1 || length > MAX_DIGITS || (buf[start] === ZERO && length > 1)) return -1;
  let value = 0;
  for (let p = start; p < end; p++) {
    const c = buf[p] as number;
    if (c < ZERO || c > NINE) return -1;
    value = value * 10 + (c - ZERO);
  }
  return value;
}

/** Skips one field that ends at `last` (a `null`, a string or an object) backwards: the offset of the comma before it, or -1. */
function fieldStartBefore(buf: Uint8Array, last: number, floor: number): number {
  const c = buf[last];
  let start: number;
  if (c === LOWER_L) start = isNullEndingAt(buf, last) ? last - 3 : -1;
  else if (c === QUOTE) start = stringStartBefore(buf, last, floor);
  else if (c === CLOSE_BRACE) start = containerStartBefore(buf, last, floor);
  else return -1;
  return start > floor && buf[start - 1] === COMMA ? start - 1 : -1;
}

/** The offset of the comma before the number or `null` that ends at `last`, or -1. */
function scalarStartBefore(buf: Uint8Array, last: number, floor: number): number {
  let p = last;
  while (p > floor && buf[p] !== COMMA) p--;
  return p > floor && p < last ? p : -1;
}

/**
 * Reads the envelope of the fact body `buf[start, end)` into `out`; false when the body is not
 * in the plain form described above (`out` is then partly written). Cost: the bytes of the
 * head up to the key and of the tail after the value, plus those of a producer, a derivation
 * and an idempotency key when they are present.
 */
export function readEnvelope(buf: Uint8Array, start: number, end: number, out: Envelope): boolean {
  const idEnd = start + 4 + ID_LENGTH;
  if (end - start < 60 || buf[end - 1] !== CLOSE_BRACKET) return false;
  if (buf[start] !== OPEN_BRACKET || buf[start + 1] !== 0x31 || buf[start + 2] !== COMMA) return false;
  if (buf[start + 3] !== QUOTE || buf[idEnd] !== QUOTE || buf[idEnd + 1] !== COMMA) return false;
  // The id is read back from these bytes as Latin-1: only plain printable ASCII qualifies.
  for (let p = start + 4; p < idEnd; p++) {
    const c = buf[p] as number;
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) return false;
  }
  // seq, then the store and key strings.
  let p = idEnd + 2;
  const seqStart = p;
  while (p < end && buf[p] !== COMMA) p++;
  const seq = plainInteger(buf, seqStart, p);
  if (seq < 1 || buf[p + 1] !== QUOTE) return false;
  const storeStart = p + 2;
  const storeEnd = plainStringEnd(buf, storeStart, end);
  if (storeEnd <= storeStart || buf[storeEnd + 1] !== COMMA || buf[storeEnd + 2] !== QUOTE) return false;
  const keyStart = storeEnd + 3;
  const keyEnd = plainStringEnd(buf, keyStart, end);
  if (keyEnd <= keyStart || buf[keyEnd + 1] !== COMMA) return false;
  // The tail, backwards: idempotencyKey, derivation, producer, schemaVersion, validTime, tt.
  const floor = keyEnd + 1;
  const idempotencyComma = fieldStartBefore(buf, end - 2, floor);
  if (idempotencyComma < 0) return false;
  const derivationComma = fieldStartBefore(buf, idempotencyComma - 1, floor);
  if (derivationComma < 0) return false;
  const producerComma = fieldStartBefore(buf, derivationComma - 1, floor);
  if (producerComma < 0) return false;
  const schemaComma = scalarStartBefore(buf, producerComma - 1, floor);
  if (schemaComma < 0) return false;
  const validComma = scalarStartBefore(buf, schemaComma - 1, floor);
  if (validComma < 0) return false;
  const ttComma = scalarStartBefore(buf, validComma - 1, floor);
  if (ttComma < 0) return false;
  const transactionTime = plainInteger(buf, ttComma + 1, validComma);
  if (transactionTime < 0) return false;
  out.seq = seq;
  out.storeStart = storeStart;
  out.storeEnd = storeEnd;
  out.keyStart = keyStart;
  out.keyEnd = keyEnd;
  out.transactionTime = transactionTime;
  out.idempotent = buf[end - 2] !== LOWER_L;
  out.producerKind =
    buf[derivationComma - 1] === CLOSE_BRACE && mentionsKind(buf, producerComma + 1, derivationComma);
  return true;
}
