import { describe, expect, it } from 'vitest';
import { href, parseRoute } from '../src/app/route.js';

describe('routes: every view has a URL that reads back as the same view', () => {
  it('parses each view with its options', () => {
    expect(parseRoute('')).toEqual({ view: 'stores' });
    expect(parseRoute('#/')).toEqual({ view: 'stores' });
    expect(parseRoute('#/stores/tasks?prefix=t&after=t1')).toEqual({
      view: 'keys',
      store: 'tasks',
      prefix: 't',
      after: 't1',
    });
    expect(parseRoute('#/stores/tasks/keys/t1?asOf=5&validAt=7&diff=1..3')).toEqual({
      view: 'key',
      store: 'tasks',
      key: 't1',
      asOf: 5,
      validAt: 7,
      diff: [1, 3],
    });
    expect(parseRoute('#/stores/tasks/keys/t1/lineage')).toEqual({
      view: 'lineage',
      store: 'tasks',
      key: 't1',
    });
    expect(parseRoute('#/facts/abc')).toEqual({ view: 'fact', id: 'abc' });
    expect(parseRoute('#/tail?stores=a,b&after=9')).toEqual({ view: 'tail', stores: ['a', 'b'], after: 9 });
    expect(parseRoute('#/stats')).toEqual({ view: 'stats' });
  });

  it('round-trips names with slashes, spaces, question marks and non-ASCII through href', () => {
    const store = 'a/b c?';
    const key = 'ключ#1/%';
    const hash = href.key(store, key, { asOf: 10, validAt: null, diff: [2, 4] });
    expect(hash).toBe('#/stores/a%2Fb%20c%3F/keys/%D0%BA%D0%BB%D1%8E%D1%87%231%2F%25?asOf=10&diff=2..4');
    expect(parseRoute(hash)).toEqual({ view: 'key', store, key, asOf: 10, validAt: null, diff: [2, 4] });
    expect(parseRoute(href.keys(store, 'p/', 'k 1'))).toEqual({
      view: 'keys',
      store,
      prefix: 'p/',
      after: 'k 1',
    });
    expect(parseRoute(href.lineage(store, key))).toEqual({ view: 'lineage', store, key });
    expect(parseRoute(href.fact('019b-x'))).toEqual({ view: 'fact', id: '019b-x' });
    expect(parseRoute(href.tail(['x', 'y'], 3))).toEqual({ view: 'tail', stores: ['x', 'y'], after: 3 });
  });

  it('ignores malformed moments and sends unknown paths to "missing"', () => {
    expect(parseRoute('#/stores/s/keys/k?asOf=soon&diff=1..x')).toEqual({
      view: 'key',
      store: 's',
      key: 'k',
      asOf: null,
      validAt: null,
      diff: null,
    });
    expect(parseRoute('#/nowhere/at/all')).toEqual({ view: 'missing', path: '/nowhere/at/all' });
    expect(parseRoute('#/facts/%E0%A4%A')).toEqual({ view: 'missing', path: '/facts/%E0%A4%A' });
  });
});
