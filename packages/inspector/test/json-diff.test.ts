import { describe, expect, it } from 'vitest';
import { bytes, isoTime, parseMoment } from '../src/app/format.js';
import { jsonDiff } from '../src/app/json-diff.js';

describe('jsonDiff', () => {
  it('lists every changed, added and removed leaf by path, keys in order', () => {
    expect(
      jsonDiff(
        { title: 'a', tags: ['x', 'y'], meta: { n: 1, gone: true }, 'odd key': 1 },
        { title: 'b', tags: ['x'], meta: { n: 1, added: null }, 'odd key': 2 },
      ),
    ).toEqual([
      { op: 'added', path: '$.meta.added', after: null },
      { op: 'removed', path: '$.meta.gone', before: true },
      { op: 'changed', path: '$["odd key"]', before: 1, after: 2 },
      { op: 'removed', path: '$.tags[1]', before: 'y' },
      { op: 'changed', path: '$.title', before: 'a', after: 'b' },
    ]);
  });

  it('is empty for equal values and one change for values of different kinds', () => {
    expect(jsonDiff({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
    expect(jsonDiff({ a: 1 }, [1])).toEqual([{ op: 'changed', path: '$', before: { a: 1 }, after: [1] }]);
  });
});

describe('formats', () => {
  it('shows times as ISO 8601 UTC and sizes in binary units', () => {
    expect(isoTime(Date.UTC(2026, 0, 1, 12))).toBe('2026-01-01T12:00:00.000Z');
    expect(isoTime(null)).toBe('-');
    expect([bytes(512), bytes(1536), bytes(3 * 1024 * 1024)]).toEqual(['512 B', '1.5 KiB', '3.0 MiB']);
  });

  it('reads a typed moment as epoch ms or an ISO date-time, and nothing else', () => {
    expect(parseMoment(' 1767268800000 ')).toBe(1767268800000);
    expect(parseMoment('2026-01-01T12:00:00Z')).toBe(Date.UTC(2026, 0, 1, 12));
    expect(parseMoment('yesterday')).toBeNull();
    expect(parseMoment('2026-13-45')).toBeNull();
  });
});
