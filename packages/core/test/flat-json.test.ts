import { describe, expect, it, vi } from 'vitest';
import { decodeJson } from '../src/engine/native-fact.js';
import { RecentStrings } from '../src/engine/recent-strings.js';
import { startsAt } from '../src/engine/starts-at.js';
import { seededRandom } from '../src/testing/crash-harness.js';

/** Every difference JSON.parse would show: keys and their order, values (Object.is), prototype. */
function expectSameAsParse(text: string): void {
  const expected = JSON.parse(text) as unknown;
  const actual = decodeJson(text) as unknown;
  expect(Object.isFrozen(actual)).toBe(true);
  if (typeof expected !== 'object' || expected === null) {
    expect(Object.is(actual, expected)).toBe(true);
    return;
  }
  expect(Object.getPrototypeOf(actual)).toBe(Object.getPrototypeOf(expected));
  expect(Reflect.ownKeys(actual as object)).toEqual(Reflect.ownKeys(expected));
  for (const key of Reflect.ownKeys(expected)) {
    const want = (expected as Record<string | symbol, unknown>)[key];
    const got = (actual as Record<string | symbol, unknown>)[key];
    if (typeof want === 'object' && want !== null) expect(got).toEqual(want);
    else expect(Object.is(got, want), `${String(key)} of ${text}`).toBe(true);
  }
}

/** Decodes twice: the first decode may learn the shape, the second reads it without JSON.parse. */
function expectDecodedTwice(text: string): void {
  expectSameAsParse(text);
  expectSameAsParse(text);
}

/** A double from random bits (any finite one), or a short decimal, or an integer. */
function randomNumber(next: () => number): number {
  const kind = Math.floor(next() * 4);
  if (kind === 0) return Math.floor(next() * 2 ** 53) * (next() < 0.5 ? -1 : 1);
  if (kind === 1) return Math.round(next() * 1e8) / 10 ** Math.floor(next() * 9);
  if (kind === 2) return Math.floor(next() * 1000) - 500;
  const bits = new DataView(new ArrayBuffer(8));
  for (;;) {
    bits.setUint32(0, Math.floor(next() * 2 ** 32));
    bits.setUint32(4, Math.floor(next() * 2 ** 32));
    const value = bits.getFloat64(0);
    if (Number.isFinite(value)) return value;
  }
}

describe('decodeJson of flat objects (flat-json.ts)', () => {
  it('gives exactly what JSON.parse gives for numbers of every kind, first and second time', () => {
    const numbers = [
      '0',
      '-0',
      '1',
      '-1',
      '0.1',
      '-0.5',
      '1.5',
      '123.456',
      '-123.456',
      '1e21',
      '1e+21',
      '1.5e-7',
      '5e-324',
      '1.7976931348623157e+308',
      '9007199254740991',
      '9007199254740993',
      '123456789012345',
      '1234567890123456',
      '123456789012345678',
      '0.30000000000000004',
      '0.000001',
      '0.0000001',
      '100',
      '1E2',
      '2.5E-3',
      '999999999999999.9',
    ];
    for (const n of numbers) expectDecodedTwice(`{"a":${n},"b":"x"}`);
  });

  it('matches JSON.parse on random flat objects of a few shapes', () => {
    const next = seededRandom(7);
    const keys = ['amount', 'customer', 'note', 'qty', 'region', 'status', 'v', 'é', 'a b', ''];
    const values = (): unknown => {
      const kind = Math.floor(next() * 6);
      if (kind === 0) return randomNumber(next);
      if (kind === 1) return `s-${Math.floor(next() * 1e6)}{[`;
      if (kind === 2) return next() < 0.5;
      if (kind === 3) return null;
      if (kind === 4) return '\u00e9\ud83d\ude00\u2028';
      return '';
    };
    for (let i = 0; i < 3000; i++) {
      const shape = keys.filter((_, k) => (i % 7) + k < 9 || (i + k) % 3 === 0).sort();
      const object: Record<string, unknown> = {};
      for (const key of shape) object[key] = values();
      expectDecodedTwice(JSON.stringify(object));
    }
  });

  it('leaves to JSON.parse what it cannot read exactly, and still gives its answer', () => {
    const texts = [
      '{}',
      '[]',
      '[1,2]',
      '"text"',
      '12',
      'null',
      'true',
      '{"a":{"b":1}}',
      '{"a":[1]}',
      '{"a":"quote \\" inside"}',
      '{"a":"\\u0000"}',
      '{"a\\"b":1}',
      '{"__proto__":1,"b":2}',
      '{"1":"one","b":2}',
      '{"01":"x","b":2}',
      '{"a":1,"b":2,"c":3}',
      '{"a":1,"b":2}',
      '{"a":1,"c":2}',
      '{"b":1,"a":2}',
      '{"a":1,"b":2,"b":3}',
      '{"a":-,"b":1}',
    ];
    for (const text of texts) {
      if (text === '{"a":-,"b":1}') {
        expect(() => decodeJson(text)).toThrow(SyntaxError);
        continue;
      }
      expectDecodedTwice(text);
    }
    // A known shape with one member more, one fewer, or another order is not taken for it.
    expectDecodedTwice('{"amount":1,"customer":"c"}');
    for (const text of [
      '{"amount":1,"customer":"c","extra":true}',
      '{"amount":1}',
      '{"customer":"c","amount":1}',
      '{"amount":1,"customer":{"c":1}}',
      '{"amount":1,"customer":"c"} ',
    ]) {
      if (text.endsWith(' ')) expectSameAsParse(text);
      else expectDecodedTwice(text);
    }
  });

  it('reads a flat object of a shape seen before without JSON.parse', () => {
    decodeJson('{"m":1,"n":"a","o":true}');
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(decodeJson('{"m":2.5,"n":"b","o":null}')).toEqual({ m: 2.5, n: 'b', o: null });
      expect(decodeJson('{"m":-3,"n":"","o":false}')).toEqual({ m: -3, n: '', o: false });
      expect(parse).not.toHaveBeenCalled();
      expect(decodeJson('{"m":1,"n":{"x":1},"o":true}')).toEqual({ m: 1, n: { x: 1 }, o: true });
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  it('returns a new object per decode, frozen, with the prototype of any object', () => {
    const text = '{"p":1,"q":"two"}';
    const first = decodeJson(text);
    const second = decodeJson(text);
    expect(second).not.toBe(first);
    expect(second).toEqual({ p: 1, q: 'two' });
    expect(Object.isFrozen(second)).toBe(true);
    expect(() => {
      (second as Record<string, unknown>).p = 2;
    }).toThrow(TypeError);
  });
  it('reads members whose strings repeat and members whose strings do not, exactly', () => {
    for (let i = 0; i < 1_000; i++) {
      expectDecodedTwice(
        `{"customer":"c-${String(i).padStart(5, '0')}","region":"eu-${i % 3}","status":"${i % 2 ? 'open' : 'paid'}"}`,
      );
    }
  });

  // Last: shapes are made for the whole process, at most 64, and this uses them up.
  it('stays exact with more shapes than it keeps or makes', () => {
    for (let round = 0; round < 2; round++) {
      for (let shape = 0; shape < 100; shape++) expectDecodedTwice(`{"k${shape}":${shape},"z":"${round}"}`);
    }
  });
});

describe('RecentStrings', () => {
  it('returns the kept string for an equal slice, and exact slices always', () => {
    const recent = new RecentStrings();
    const text = '"open","paid","open","opened","ope"';
    const open = recent.take(text, 1, 5);
    expect(open).toBe('open');
    expect(recent.take(text, 8, 12)).toBe('paid');
    expect(recent.take(text, 15, 19)).toBe('open');
    expect(recent.take(text, 22, 28)).toBe('opened');
    expect(recent.take(text, 31, 34)).toBe('ope');
    expect(recent.take('', 0, 0)).toBe('');
  });

  it('stays exact for two strings that would share a place in its table', () => {
    const place = (s: string) => (s.charCodeAt(0) * 31 + s.charCodeAt(s.length - 1) * 7 + s.length) & 63;
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const pairs = [...letters].flatMap((a) => [...letters].map((b) => `${a}-${b}`));
    const first = 'a-b';
    const second = pairs.find((p) => p !== first && place(p) === place(first)) as string;
    expect(second).toBeDefined();
    const recent = new RecentStrings();
    for (let i = 0; i < 50; i++) {
      for (const value of [first, second]) {
        const text = `{"s":"${value}"}`;
        expect(recent.take(text, 6, 6 + value.length)).toBe(value);
      }
    }
  });

  it('stays exact when a member has more distinct values than it keeps', () => {
    const recent = new RecentStrings();
    for (let i = 0; i < 2_000; i++) {
      const value = `c-${String(i % 500).padStart(5, '0')}`;
      const text = `x"${value}"y`;
      expect(recent.take(text, 2, 2 + value.length)).toBe(value);
    }
    const long = 'z'.repeat(100);
    expect(recent.take(`"${long}"`, 1, 101)).toBe(long);
  });
});

describe('startsAt', () => {
  it('agrees with startsWith at every position of random texts, for parts found there and not', () => {
    const next = seededRandom(23);
    const letters = 'ab"{,:';
    for (let round = 0; round < 300; round++) {
      const text = Array.from(
        { length: Math.floor(next() * 12) },
        () => letters[Math.floor(next() * 6)],
      ).join('');
      const parts = ['', 'a', 'ab', '"a', text, `${text}a`];
      for (let from = 0; from < text.length; from++)
        parts.push(text.slice(from, from + 1 + Math.floor(next() * 4)));
      for (const part of parts) {
        for (let at = 0; at <= text.length; at++) {
          expect(startsAt(text, part, at), `${JSON.stringify(text)} ${JSON.stringify(part)} ${at}`).toBe(
            text.startsWith(part, at),
          );
        }
      }
    }
  });

  it('lets RecentStrings keep and find an empty string like any other', () => {
    const recent = new RecentStrings();
    const text = '"","x",""';
    const first = recent.take(text, 1, 1);
    expect(first).toBe('');
    expect(recent.take(text, 4, 5)).toBe('x');
    expect(recent.take(text, 8, 8)).toBe('');
  });
});
