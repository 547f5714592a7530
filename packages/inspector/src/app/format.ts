// How times, sizes and values are shown.

/** An epoch-ms time as ISO 8601 UTC with milliseconds ("2026-12-07T14:03:00.123Z"). */
export function isoTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

/** A byte count for people: "512 B", "1.5 KiB", "3.2 MiB". */
export function bytes(count: number): string {
  if (count < 1024) return `${count} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = count / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A JSON value, indented. */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

/** The first characters of a hash or id, for narrow columns (the full text is in the title). */
export function short(text: string, length = 12): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/**
 * A moment typed by a person: epoch ms ("1765110000000") or an ISO date-time
 * ("2026-12-07T14:03:00Z"); null when it is neither.
 */
export function parseMoment(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d{1,16}$/.test(trimmed)) return Number(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return null;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : ms;
}
