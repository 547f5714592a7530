import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The root record of a segmented directory. */
export const CATALOG_FILE = 'catalog';
/** The folder holding one folder per store. */
export const STORES_DIR = 'stores';

const LONGEST_FOLDER = 120;
const KEPT_PREFIX = 80;
// Device names Windows refuses as file names whatever their extension.
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/;

function isPlain(byte: number): boolean {
  return (
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x5f || // _
    byte === 0x2d // -
  );
}

function percent(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * The folder name of a store: its UTF-8 bytes with everything but `a-z 0-9 _ -` written as
 * `%XX` (so `..`, `a/b`, `*` and upper case, which case-insensitive file systems would fold, can
 * never leave `stores/` or collide), and Windows device names escaped. Names whose escaped form
 * passes 120 characters keep an 80-character prefix plus `~` and 128 bits of the name's SHA-256.
 * Distinct names give distinct folders. Never throws. Cost: O(name length).
 */
export function storeFolderName(store: string): string {
  let out = '';
  for (const byte of Buffer.from(store, 'utf8'))
    out += isPlain(byte) ? String.fromCharCode(byte) : percent(byte);
  if (RESERVED.test(out)) out = percent(out.charCodeAt(0)) + out.slice(1);
  if (out.length <= LONGEST_FOLDER) return out;
  let cut = KEPT_PREFIX;
  // Do not split a %XX escape.
  const lastEscape = out.lastIndexOf('%', cut - 1);
  if (lastEscape > cut - 3) cut = lastEscape;
  return `${out.slice(0, cut)}~${createHash('sha256').update(store, 'utf8').digest('hex').slice(0, 32)}`;
}

/** What a file in a store folder is. */
export type SegmentFileKind = 'log' | 'manifest' | 'purged';

const FILE_NAME = /^segment-(\d{10,})\.(log|manifest|purged)$/;

/** The file name of segment `segment`'s `kind` file: `segment-<10+ digit number>.<kind>`. */
export function segmentFileName(segment: number, kind: SegmentFileKind): string {
  return `segment-${String(segment).padStart(10, '0')}.${kind}`;
}

/** The path of segment `segment`'s `kind` file in `folder`. */
export function segmentPath(folder: string, segment: number, kind: SegmentFileKind): string {
  return join(folder, segmentFileName(segment, kind));
}

/** The segment number and kind of a segment file name, or undefined for any other name. */
export function parseSegmentFileName(name: string): { segment: number; kind: SegmentFileKind } | undefined {
  const match = FILE_NAME.exec(name);
  if (!match) return undefined;
  const segment = Number(match[1]);
  if (!Number.isSafeInteger(segment) || segment < 1) return undefined;
  return { segment, kind: match[2] as SegmentFileKind };
}

/** True for the temp files of an interrupted crash-safe write (`<target>.tmp-<pid>-<hex>`). */
export function isStaleTempName(name: string): boolean {
  return /\.tmp-\d+-[0-9a-f]+$/.test(name);
}
