// Specification of @igniter/native's JS surface, run against the built addon.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const vectorsPath = join(packageDir, '../../vectors/canonical-json.json');
const require = createRequire(import.meta.url);

function loadNative() {
  try {
    return { native: require('../index.js') };
  } catch (error) {
    const cargo = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
    if (error.code === 'ERR_NATIVE_UNAVAILABLE' && (cargo.error || cargo.status !== 0)) {
      return { skip: 'the addon is not built and cargo is not on PATH' };
    }
    throw error;
  }
}

const { native, skip } = loadNative();

/** Asserts that `run` throws an Error whose `code` is `code`. */
function assertThrowsCode(run, code) {
  assert.throws(run, (error) => {
    assert.ok(error instanceof Error, 'an Error instance');
    assert.equal(error.code, code);
    assert.ok(error.message.length > 0, 'a message');
    return true;
  });
}

/** RFC 8785 as JavaScript itself defines it: the oracle for the differential test. */
function referenceCanonical(value) {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(referenceCanonical).join(',')}]`;
  }
  const members = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${referenceCanonical(value[key])}`);
  return `{${members.join(',')}}`;
}

/** A seeded generator of JSON values that stress number formatting, escaping and key order. */
function valueGenerator(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (items) => items[Math.floor(next() * items.length)];
  const bits = new DataView(new ArrayBuffer(8));
  const specialNumbers = [0, -0, 1, -1, 5e-324, Number.MAX_VALUE, 1e21, 1e-7, 1e-6, 2 ** 53, 0.1];
  const number = () => {
    switch (Math.floor(next() * 4)) {
      case 0:
        return Math.floor((next() - 0.5) * 2 ** 40);
      case 1:
        return (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
      case 2: {
        bits.setUint32(0, Math.floor(next() * 2 ** 32));
        bits.setUint32(4, Math.floor(next() * 2 ** 32));
        const value = bits.getFloat64(0);
        return Number.isFinite(value) ? value : 0;
      }
      default:
        return pick(specialNumbers);
    }
  };
  const codePoints = [
    () => 0x20 + Math.floor(next() * 0x5f),
    () => Math.floor(next() * 0x20),
    () => pick([0x22, 0x5c, 0x2f, 0x7f, 0x2028, 0x2029, 0xe9, 0xfffd, 0xffff]),
    () => 0xe000 + Math.floor(next() * 0x2000),
    () => 0x10000 + Math.floor(next() * 0x100000),
  ];
  const string = () => {
    let text = '';
    const length = Math.floor(next() * 6);
    for (let i = 0; i < length; i += 1) {
      text += String.fromCodePoint(pick(codePoints)());
    }
    return text;
  };
  const value = (depth) => {
    const kind = Math.floor(next() * (depth >= 4 ? 4 : 6));
    switch (kind) {
      case 0:
        return pick([null, true, false]);
      case 1:
      case 2:
        return number();
      case 3:
        return string();
      case 4:
        return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      default: {
        const object = {};
        const size = Math.floor(next() * 5);
        for (let i = 0; i < size; i += 1) {
          object[string()] = value(depth + 1);
        }
        return object;
      }
    }
  };
  return () => value(0);
}

describe('@igniter/native', { skip }, () => {
  test('exports exactly the documented functions and the NativeLog class', () => {
    assert.deepEqual(Object.keys(native).sort(), [
      'NativeLog',
      'NativeWal',
      'abiVersion',
      'buildImage',
      'canonicalJson',
      'crateVersion',
      'sealImage',
      'sha256Hex',
      'tryLockFile',
      'valueHash',
    ]);
    for (const exported of Object.values(native)) {
      assert.equal(typeof exported, 'function');
    }
  });

  test('re-exports every free function of the generated binding and wraps every log and wal primitive', () => {
    const binding = require('../binding.js');
    const bindingFunctions = Object.keys(binding).filter((key) => typeof binding[key] === 'function');
    const free = bindingFunctions.filter((key) => !key.startsWith('log') && !key.startsWith('wal'));
    assert.deepEqual(
      free.sort(),
      Object.keys(native)
        .filter((key) => key !== 'NativeLog' && key !== 'NativeWal')
        .sort(),
    );
    for (const [prefix, wrapper, create] of [
      ['log', native.NativeLog, 'logCreate'],
      ['wal', native.NativeWal, 'walOpen'],
    ]) {
      const methods = Object.getOwnPropertyNames(wrapper.prototype);
      const primitives = bindingFunctions.filter((key) => key.startsWith(prefix) && key !== create);
      for (const primitive of primitives) {
        // `logReadValueFunction` and `logLatestValueFunction` return the plain callbacks that
        // `readValue` and `latestValue` call.
        const method = primitive.charAt(3).toLowerCase() + primitive.slice(4).replace(/Function$/, '');
        assert.ok(methods.includes(method), `${wrapper.name} has no ${method} for ${primitive}`);
      }
    }
  });

  test('tryLockFile holds an exclusive flock per open file description, released by close', () => {
    const dir = mkdtempSync(join(tmpdir(), 'igniter-flock-'));
    try {
      const path = join(dir, 'data');
      writeFileSync(path, '');
      const first = openSync(path, 'r');
      const second = openSync(path, 'r');
      assert.equal(native.tryLockFile(first), true);
      assert.equal(native.tryLockFile(second), false);
      closeSync(first);
      assert.equal(native.tryLockFile(second), true);
      closeSync(second);
      assertThrowsCode(() => native.tryLockFile(second), 'ERR_INVALID_ARGUMENT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('abiVersion is the boundary version core checks', () => {
    assert.equal(native.abiVersion(), 6);
  });

  test('crateVersion is a semver version', () => {
    assert.match(native.crateVersion(), /^\d+\.\d+\.\d+/);
  });

  test('canonicalJson sorts keys and drops whitespace', () => {
    assert.equal(native.canonicalJson('{"b":1,"a":2}'), '{"a":2,"b":1}');
    assert.equal(native.canonicalJson(' { "z" : [ 1.0 , -0 ] } '), '{"z":[1,0]}');
  });

  test('every valid golden vector has its canonical form and hash', () => {
    const { valid } = JSON.parse(readFileSync(vectorsPath, 'utf8'));
    assert.ok(valid.length > 0);
    for (const vector of valid) {
      assert.equal(native.canonicalJson(vector.input), vector.canonical, vector.name);
      assert.equal(native.valueHash(vector.input), vector.sha256, vector.name);
    }
  });

  test('every invalid golden vector throws ERR_INVALID_VALUE', () => {
    const { invalid } = JSON.parse(readFileSync(vectorsPath, 'utf8'));
    assert.ok(invalid.length > 0);
    for (const vector of invalid) {
      assertThrowsCode(() => native.canonicalJson(vector.input), 'ERR_INVALID_VALUE');
      assertThrowsCode(() => native.valueHash(vector.input), 'ERR_INVALID_VALUE');
    }
  });

  test('text that is not one JSON value throws ERR_INVALID_VALUE', () => {
    for (const text of ['', '{', '[1,]', '{"a":1,"a":2}', 'NaN', '01', '1 2']) {
      assertThrowsCode(() => native.canonicalJson(text), 'ERR_INVALID_VALUE');
    }
  });

  test('a raw lone surrogate in the text throws ERR_INVALID_VALUE, U+FFFD itself does not', () => {
    assertThrowsCode(() => native.canonicalJson('"\ud800"'), 'ERR_INVALID_VALUE');
    assertThrowsCode(() => native.canonicalJson('["\udc00", "\ufffd"]'), 'ERR_INVALID_VALUE');
    assert.equal(native.canonicalJson('"\ufffd"'), '"\ufffd"');
  });

  test('a non-string argument throws ERR_INVALID_ARGUMENT', () => {
    for (const argument of [undefined, null, 42, {}, Buffer.from('{}')]) {
      assertThrowsCode(() => native.canonicalJson(argument), 'ERR_INVALID_ARGUMENT');
      assertThrowsCode(() => native.valueHash(argument), 'ERR_INVALID_ARGUMENT');
      assertThrowsCode(() => native.sha256Hex(argument), 'ERR_INVALID_ARGUMENT');
    }
  });

  test('sha256Hex hashes the UTF-8 bytes of its text as node:crypto does', () => {
    for (const text of ['', 'abc', 'Zo\u00eb \u2603 \ud83d\ude00', 'lone \ud800 surrogate']) {
      assert.equal(native.sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });

  test('agrees with JavaScript on 3000 random values', () => {
    const nextValue = valueGenerator(20_240_521);
    for (let i = 0; i < 3000; i += 1) {
      const value = nextValue();
      const expected = referenceCanonical(value);
      const text = JSON.stringify(value, null, i % 2 === 0 ? 0 : 2);
      assert.equal(native.canonicalJson(text), expected, text);
      assert.equal(native.valueHash(text), createHash('sha256').update(expected).digest('hex'), text);
    }
  });

  describe('NativeLog', () => {
    const STRIDE = 13;
    /** Stages one fact with only store, key and value, like NativeEngine does. */
    function stage(log, store, key, valueJson, time, commit = true) {
      const numbers = Float64Array.of(time, Number.NaN, 1, commit ? 1 : 0);
      const lengths = [store.length, key.length, valueJson.length, -1, -1, -1, -1];
      return log.stage(store + key + valueJson, Float64Array.of(...numbers, ...lengths));
    }

    test('stage canonicalizes and hashes the value and returns id + hash + canonical value', () => {
      const log = new native.NativeLog(1 << 20);
      const text = stage(log, 'users', 'u1', '{"b":1,"a":[1.0]}', 1_714_200_123_456);
      const canonical = '{"a":[1],"b":1}';
      assert.match(
        text.slice(0, 36),
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      assert.equal(Number.parseInt(text.slice(0, 13).replace('-', ''), 16), 1_714_200_123_456);
      assert.equal(text.slice(36, 100), createHash('sha256').update(canonical).digest('hex'));
      assert.equal(text.slice(100), canonical);
      assert.equal(log.size(), 1);
      assert.equal(log.lastSeq(), 1);
    });

    test('latestFor packs the fact: count, then seq, times, schema version, store index and part lengths', () => {
      const log = new native.NativeLog(1 << 20);
      stage(log, 'users', 'u1', '1', 10);
      const staged = stage(log, 'users', 'u1', '"\u00e9"', 20);
      const out = new Float64Array(1 + STRIDE * 4);
      out[0] = 'users'.length;
      out[1] = 15;
      const asOf = log.latestFor('usersu1', out);
      assert.equal(out[1], 1);
      assert.equal(asOf.slice(100), '1');
      out[0] = 'users'.length;
      out[1] = Number.NaN;
      const text = log.latestFor('usersu1', out);
      assert.deepEqual([...out.subarray(0, 1 + STRIDE)].slice(0, 6), [1, 2, 20, Number.NaN, 1, 0]);
      assert.deepEqual([...out.subarray(6, 1 + STRIDE)], [36, 64, -1, -1, 3, -1, -1, -1]);
      assert.equal(text, staged);
      out[0] = 'users'.length;
      assert.equal(log.latestFor('usersnope', out), null);
    });

    test('latestValue returns the value alone, latest or as of a time, for names of any length', () => {
      const log = new native.NativeLog(1 << 20);
      // Store name plus key of 509 UTF-8 bytes still fit the stack buffer; longer ones, and
      // names cut by it, are read through the heap.
      const names = [
        ['users', 'u1'],
        ['s\u00e9', 'k\ud83d\ude00'],
        ['s', 'k'.repeat(508)],
        ['s', 'k'.repeat(509)],
        ['s', 'k'.repeat(4092)],
        ['\u00e9'.repeat(1500), 'k'.repeat(2000)],
        ['s'.repeat(5000), 'k'],
      ];
      for (const [store, key] of names) {
        stage(log, store, key, '{"b":1,"a":"x"}', 10);
        stage(log, store, key, '"\u00e9\ud83d\ude00"', 20);
      }
      for (const [store, key] of names) {
        assert.equal(
          log.latestValue(store, key, Number.NaN),
          '"\u00e9\ud83d\ude00"',
          `${store.length}/${key.length}`,
        );
        assert.equal(log.latestValue(store, key, 19), '{"a":"x","b":1}');
        assert.equal(log.latestValue(store, key, 9), null);
      }
      assert.equal(log.latestValue('users', 'u2', Number.NaN), null);
      assert.equal(log.latestValue('user', 'su1', Number.NaN), null);
      assert.equal(log.latestValue('nope', 'u1', Number.NaN), null);
      for (const argument of [undefined, null, 42, {}]) {
        assertThrowsCode(() => log.latestValue(argument, 'u1', Number.NaN), 'ERR_INVALID_ARGUMENT');
        assertThrowsCode(() => log.latestValue('users', argument, Number.NaN), 'ERR_INVALID_ARGUMENT');
      }
      for (const argument of [undefined, null, '1', {}]) {
        assertThrowsCode(() => log.latestValue('users', 'u1', argument), 'ERR_INVALID_ARGUMENT');
      }
      const latestValue = require('../binding.js').logLatestValueFunction();
      for (const handle of [undefined, {}, 'users', 42]) {
        assertThrowsCode(() => latestValue(handle, 'users', 'u1', Number.NaN), 'ERR_INVALID_ARGUMENT');
      }
    });

    test('the value reads tell log handles apart, and refuse other externals, whatever they read last', () => {
      // The callbacks skip napi-rs' handle check for the handle they checked last: a read
      // through another log, or through an external of another type, must still be told apart.
      const binding = require('../binding.js');
      const latestValue = binding.logLatestValueFunction();
      const readValue = binding.logReadValueFunction();
      const handles = [0, 1, 2].map((i) => {
        const handle = binding.logCreate(1 << 20);
        const lengths = Float64Array.of(10, Number.NaN, 1, 1, 1, 1, String(i).length, -1, -1, -1, -1);
        binding.logStage(handle, `sk${i}`, lengths);
        return handle;
      });
      const other = binding.logCopyBegin(binding.logCreate(1 << 20));
      const out = new Float64Array(66);
      for (const i of [0, 0, 1, 2, 2, 0, 1, 1]) {
        assert.equal(latestValue(handles[i], 's', 'k', Number.NaN), String(i));
        assert.equal(readValue(handles[i], 's', 'k', 10, new Float64Array(0)), String(i));
        assertThrowsCode(() => latestValue(other, 's', 'k', Number.NaN), 'ERR_INVALID_ARGUMENT');
        assertThrowsCode(() => readValue(other, 's', 'k', Number.NaN, out), 'ERR_INVALID_ARGUMENT');
      }
    });

    test('both value reads read a flat object into out when it has room for it', () => {
      const log = new native.NativeLog(1 << 20);
      stage(log, 's', 'a', '{"n":-1.5,"s":"open","t":true,"x":null}', 10);
      stage(log, 's', 'b', '{"n":2,"s":"open","t":false,"x":null}', 10);
      stage(log, 's', 'c', '{"n":2}', 10);
      stage(log, 's', 'd', '{"n":{"m":1}}', 10);
      stage(log, 's', 'e', '{"s":"\u00e9"}', 10);
      const out = new Float64Array(66).fill(7);
      const text = log.latestValue('s', 'a', Number.NaN, out);
      assert.equal(text, '{"n":-1.5,"s":"open","t":true,"x":null}');
      const open = text.indexOf('open');
      // Shape id 0; -1 and the number; a new kept string (start, -(end + 1)); -2 and true; -3.
      assert.deepEqual([...out.subarray(0, 11)], [7, 0, -1, -1.5, open, -(open + 5), -2, 1, -3, 0, 7]);
      // Same keys: same id; the string kept before comes back as -4 and its index.
      assert.equal(log.readValue('s', 'b', Number.NaN, out), '{"n":2,"s":"open","t":false,"x":null}');
      assert.deepEqual([...out.subarray(0, 9)], [1, 0, -1, 2, -4, 0, -2, 0, -3]);
      assert.equal(log.latestValue('s', 'c', Number.NaN, out), '{"n":2}');
      assert.deepEqual([...out.subarray(1, 4)], [1, -1, 2]);
      // Not flat, not ASCII: not read (-1), the text alone.
      assert.equal(log.latestValue('s', 'd', Number.NaN, out), '{"n":{"m":1}}');
      assert.equal(out[1], -1);
      assert.equal(log.readValue('s', 'e', Number.NaN, out), '{"s":"\u00e9"}');
      assert.equal(out[1], -1);
      // An out without room: nothing read into it; without out, the text alone.
      const small = new Float64Array(65).fill(7);
      assert.equal(log.latestValue('s', 'c', Number.NaN, small), '{"n":2}');
      assert.deepEqual([...small.subarray(0, 3)], [7, 7, 7]);
      assert.equal(log.latestValue('s', 'c', Number.NaN), '{"n":2}');
      for (const argument of [null, 1, [], new Float32Array(66)]) {
        assertThrowsCode(() => log.latestValue('s', 'c', Number.NaN, argument), 'ERR_INVALID_ARGUMENT');
      }
    });

    test('readValue hands a value over once, then its slot, until the log forgets', () => {
      const log = new native.NativeLog(1 << 20);
      const out = new Float64Array(1);
      stage(log, 's', 'a', '{"v":1}', 10);
      stage(log, 's', 'b', '{"v":2}', 10);
      stage(log, 's', 'a', '{"v":3}', 20);
      stage(log, 's\u00e9', 'k'.repeat(600), '"\u00e9"', 20);
      // Each fact's value crosses once, with its slot; after that, the slot alone.
      assert.equal(log.readValue('s', 'a', Number.NaN, out), '{"v":3}');
      assert.equal(out[0], 2);
      assert.equal(log.readValue('s', 'a', Number.NaN, out), 2);
      assert.equal(log.readValue('s', 'a', 15, out), '{"v":1}');
      assert.equal(out[0], 0);
      assert.equal(log.readValue('s', 'a', 10, out), 0);
      assert.equal(log.readValue('s', 'a', 25, out), 2);
      assert.equal(log.readValue('s', 'a', 9, out), null);
      assert.equal(log.readValue('s', 'c', Number.NaN, out), null);
      assert.equal(log.readValue('s\u00e9', 'k'.repeat(600), Number.NaN, out), '"\u00e9"');
      assert.equal(out[0], 3);
      assert.equal(log.readValue('s\u00e9', 'k'.repeat(600), Number.NaN, out), 3);
      // latestValue neither looks at nor changes what readValue handed over.
      assert.equal(log.latestValue('s', 'b', Number.NaN), '{"v":2}');
      assert.equal(log.readValue('s', 'b', Number.NaN, out), '{"v":2}');
      assert.equal(out[0], 1);
      log.forgetValues();
      assert.equal(log.readValue('s', 'a', Number.NaN, out), '{"v":3}');
      assert.equal(log.readValue('s', 'b', Number.NaN, out), '{"v":2}');
      // Removal and truncation renumber slots: everything handed over is forgotten.
      const removedId = stage(log, 's', 'c', '{"v":4}', 30).slice(0, 36);
      assert.equal(log.readValue('s', 'c', Number.NaN, out), '{"v":4}');
      assert.equal(out[0], 4);
      assert.equal(log.remove([removedId], new Float64Array(64)).length, 1);
      assert.equal(log.readValue('s', 'a', Number.NaN, out), '{"v":3}');
      assert.equal(log.readValue('s', 'a', Number.NaN, out), 2);
      log.truncateAfter(3);
      assert.equal(log.readValue('s', 'a', Number.NaN, out), '{"v":3}');
      assert.equal(log.readValue('s', 'a', Number.NaN, out), 2);
      stage(log, 's', 'd', '{"v":5}', 40, false);
      log.discard();
      assert.equal(log.readValue('s', 'a', Number.NaN, out), '{"v":3}');
      assert.equal(log.readValue('s', 'd', Number.NaN, out), null);
      for (const argument of [undefined, null, 42, {}]) {
        assertThrowsCode(() => log.readValue(argument, 'a', Number.NaN, out), 'ERR_INVALID_ARGUMENT');
        assertThrowsCode(() => log.readValue('s', argument, Number.NaN, out), 'ERR_INVALID_ARGUMENT');
      }
      // The plain callback checks the rest of its arguments too, before it reads anything.
      for (const argument of [undefined, null, '1', {}]) {
        assertThrowsCode(() => log.readValue('s', 'a', argument, out), 'ERR_INVALID_ARGUMENT');
      }
      for (const argument of [undefined, null, [0], new Float32Array(1), new Uint8Array(8)]) {
        assertThrowsCode(() => log.readValue('s', 'b', Number.NaN, argument), 'ERR_INVALID_ARGUMENT');
      }
      const readValue = require('../binding.js').logReadValueFunction();
      for (const handle of [undefined, {}, 's', 42]) {
        assertThrowsCode(() => readValue(handle, 's', 'a', Number.NaN, out), 'ERR_INVALID_ARGUMENT');
      }
      // An empty out array takes the value but leaves it not held: the next read gives it again.
      log.forgetValues();
      assert.equal(log.readValue('s', 'b', Number.NaN, new Float64Array(0)), '{"v":2}');
      assert.equal(log.readValue('s', 'b', Number.NaN, out), '{"v":2}');
      assert.equal(log.readValue('s', 'b', Number.NaN, out), 1);
    });

    test('a batch left open is undone by discard, seqs included', () => {
      const log = new native.NativeLog(1 << 20);
      stage(log, 's', 'k', '1', 1);
      stage(log, 's', 'k', '2', 2, false);
      log.discard();
      assert.equal(log.size(), 1);
      assert.equal(log.lastSeq(), 1);
    });

    test('stage rejects a value over the limit and JSON that is not an Igniter value', () => {
      const log = new native.NativeLog(4);
      assertThrowsCode(() => stage(log, 's', 'k', '"12345"', 1), 'ERR_VALUE_TOO_LARGE');
      assertThrowsCode(() => stage(log, 's', 'k', '[1E400]', 1), 'ERR_INVALID_VALUE');
      assert.equal(log.size(), 0);
    });

    test('loadBatch keeps ids, seqs and hashes and stops at a seq that does not increase', () => {
      const log = new native.NativeLog(1 << 20);
      const fact = (id, seq) => {
        const parts = [id, 'h', 's', 'k\u00e9', '{"v":1}', null, null, null, null];
        const lengths = parts.map((part) => (part === null ? -1 : part.length));
        return {
          text: parts.filter((part) => part !== null).join(''),
          numbers: [seq, 1, Number.NaN, 1, ...lengths],
        };
      };
      const batch = [fact('a', 3), fact('b', 2), fact('c', 4)];
      assertThrowsCode(
        () =>
          log.loadBatch(
            batch.map((f) => f.text).join(''),
            Float64Array.from(batch.flatMap((f) => f.numbers)),
          ),
        'ERR_CORRUPT_LOG',
      );
      assert.equal(log.size(), 1);
      assert.equal(log.lastSeq(), 3);
      const out = new Float64Array(1 + STRIDE);
      assert.equal(log.byId('a', out), 'ah{"v":1}'.replace('h', 'hk\u00e9'));
      assert.deepEqual(log.keys('s'), ['k\u00e9']);
    });

    test('loadCopy loads binary COPY rows, takes whole rows only and reports their stores', () => {
      const field = (bytes) => {
        if (bytes === null) return Buffer.from([0xff, 0xff, 0xff, 0xff]);
        const length = Buffer.alloc(4);
        length.writeInt32BE(bytes.length);
        return Buffer.concat([length, bytes]);
      };
      const int64 = (n) => {
        const out = Buffer.alloc(8);
        out.writeBigInt64BE(BigInt(n));
        return out;
      };
      const float8 = (n) => {
        const out = Buffer.alloc(8);
        out.writeDoubleBE(n);
        return out;
      };
      const int4 = Buffer.from([0, 0, 0, 1]);
      const row = (seq, store, value) =>
        Buffer.concat([
          Buffer.from([0, 13]),
          ...[int64(seq), `id${seq}`, store, 'k\u00e9', value, 'h', null, float8(10 + seq), null, int4]
            .concat([null, null, null])
            .map((part) => field(typeof part === 'string' ? Buffer.from(part) : part)),
        ]);
      const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
      const copy = Buffer.concat([
        header,
        row(1, 'a', '{ "b": 1.0, "a": 2 }'),
        row(2, 'b', '[1]'),
        Buffer.from([0xff, 0xff]),
      ]);
      const log = new native.NativeLog(1 << 20);
      // Row 1's field bytes: seq 8, "id1" 3, "a" 1, "k\u00e9" 3, the value 20, "h" 1, time 8, version 4.
      const cut = copy.length - 20;
      const first = log.loadCopy(copy.subarray(0, cut), true);
      assert.deepEqual(
        { ...first, consumed: first.consumed > 19 },
        {
          consumed: true,
          ended: false,
          loaded: 1,
          maxSeq: 1,
          tallyStores: ['a'],
          tallyFacts: [1],
          tallyBytes: [48],
        },
      );
      const rest = log.loadCopy(copy.subarray(first.consumed), false);
      assert.deepEqual(
        [rest.consumed, rest.ended, rest.loaded, rest.maxSeq],
        [copy.length - first.consumed, true, 1, 2],
      );
      assert.deepEqual(rest.tallyStores, ['b']);
      const out = new Float64Array(1 + STRIDE);
      assert.equal(log.byId('id1', out), 'id1hk\u00e9{"a":2,"b":1}');
      assertThrowsCode(
        () => new native.NativeLog(1 << 20).loadCopy(Buffer.from('not a copy at all!!'), true),
        'ERR_CORRUPT_LOG',
      );
    });

    test('copyBegin/copyPush/copyFinish load a COPY off the wire on worker threads and hand its bytes back', () => {
      const message = (code, body) => {
        const head = Buffer.alloc(5);
        head.write(code, 0, 'latin1');
        head.writeUInt32BE(body.length + 4, 1);
        return Buffer.concat([head, body]);
      };
      const field = (bytes) => {
        const length = Buffer.alloc(4);
        length.writeInt32BE(bytes === null ? -1 : bytes.length);
        return bytes === null ? length : Buffer.concat([length, bytes]);
      };
      const number = (write, size, n) => {
        const out = Buffer.alloc(size);
        out[write](n);
        return out;
      };
      const row = (seq, store) =>
        Buffer.concat([
          Buffer.from([0, 13]),
          ...[number('writeBigInt64BE', 8, BigInt(seq)), `id${seq}`, store, 'k', '[1]', 'h', null]
            .concat([number('writeDoubleBE', 8, seq), null, number('writeInt32BE', 4, 1), null, null, null])
            .map((part) => field(typeof part === 'string' ? Buffer.from(part) : part)),
        ]);
      const copy = Buffer.concat([
        Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
        Buffer.alloc(8),
        row(1, 'a'),
        row(2, 'b'),
        row(3, 'a'),
        Buffer.from([0xff, 0xff]),
      ]);
      const copyMessages = Buffer.concat([
        message('H', Buffer.from([1, 0, 0])),
        message('d', copy.subarray(0, 50)),
        message('d', copy.subarray(50)),
        message('c', Buffer.alloc(0)),
      ]);
      const wire = Buffer.concat([copyMessages, message('C', Buffer.from('COPY 3\0'))]);
      const log = new native.NativeLog(1 << 20);
      assert.throws(() => log.copyFinish(), /no COPY load is running/);
      log.copyBegin();
      assert.throws(() => log.copyBegin(), /running on this log already/);
      assert.equal(log.copyPush(wire.subarray(0, 40)), null);
      const end = log.copyPush(wire.subarray(40));
      assert.deepEqual(
        { ...end, carried: [...end.carried] },
        { at: copyMessages.length - 40, done: true, carried: [] },
      );
      const result = log.copyFinish();
      assert.deepEqual(
        [result.ended, result.loaded, result.maxSeq, result.tallyStores, result.tallyFacts],
        [true, 3, 3, ['a', 'b'], [2, 1]],
      );
      assert.deepEqual(Buffer.concat(result.bytes), copy);
      assert.equal(log.size(), 3);
      assert.equal(log.lastSeq(), 3);
      const broken = new native.NativeLog(1 << 20);
      broken.copyBegin();
      broken.copyPush(Buffer.concat([message('d', copy.subarray(0, 60)), message('c', Buffer.alloc(0))]));
      assertThrowsCode(() => broken.copyFinish(), 'ERR_CORRUPT_LOG');
    });

    test('replayFile loads a data file, reports its stores and stops at a torn tail', () => {
      const dir = mkdtempSync(join(tmpdir(), 'igniter-native-'));
      try {
        const frame = (body) => {
          const bytes = Buffer.from(body);
          const out = Buffer.alloc(bytes.length + 8);
          out.writeUInt32BE(bytes.length, 0);
          bytes.copy(out, 4);
          out.writeUInt32BE(crc32(bytes), 4 + bytes.length);
          return out;
        };
        const id = (n) => `01a21ebf-546d-7000-8000-00000000000${n}`;
        const record = (n, store, value, idem) =>
          `[1,"${id(n)}",${n},"${store}","k",${value},"${'0'.repeat(64)}",null,${n},null,1,null,null,${idem}]`;
        const meta = frame('{"type":"wal","baseSeq":0}');
        const facts = [frame(record(1, 'a', '{"b":1,"a":2}', 'null')), frame(record(2, 'b', '2', '"once"'))];
        const path = join(dir, 'app.log');
        const torn = frame(record(3, 'a', '3', 'null')).subarray(0, 9);
        writeFileSync(path, Buffer.concat([Buffer.from('HEADER..'), meta, ...facts, torn]));
        const log = new native.NativeLog(1 << 20);
        const head = log.replayFile(path, Float64Array.from([8, 1 << 20, 1, 0, Infinity, 0]));
        assert.equal(head.meta, '{"type":"wal","baseSeq":0}');
        assert.equal(head.end, 8 + meta.length);
        const at = head.end;
        const result = log.replayFile(path, Float64Array.from([at, 1 << 20, 0, 0, Infinity, 0]));
        const tornAt = at + facts[0].length + facts[1].length;
        assert.deepEqual(
          { ...result },
          {
            size: tornAt + 9,
            end: tornAt,
            stop: 'incomplete',
            stopOffset: tornAt,
            maxSeq: 2,
            loaded: 2,
            tallyStores: ['a', 'b'],
            tallyFacts: [1, 1],
            tallyBytes: [facts[0].length, facts[1].length],
          },
        );
        const out = new Float64Array(1 + 2 * STRIDE);
        assert.equal(log.latestFor('ak', Float64Array.from([1, Number.NaN])) === null, false);
        assert.equal(log.latestValue('a', 'k', Number.NaN), '{"a":2,"b":1}');
        assert.equal(log.latestValue('a', 'k', 1), '{"a":2,"b":1}');
        assert.equal(log.latestValue('a', 'k', 0), null);
        assert.equal(log.latestValue('a', 'x', Number.NaN), null);
        assert.equal(log.latestValue('ak', '', Number.NaN), null);
        assert.deepEqual(log.restorable('"kind":"x"', out).length, 1);
        assert.equal(out[0], 1);
        assert.equal(out[1], 2);
        assert.match(log.last(out) ?? '', /^01a21ebf-546d-7000-8000-000000000002/);
        assert.equal(log.size(), 2);
        // A fact linked to its key's latest fact: the id comes back after the hash.
        const linked = Float64Array.from([9, Number.NaN, 1, 1, 1, 1, 1, -2, -1, -1, -1]);
        const staged = log.stage('bk7', linked);
        assert.equal(linked[7], 36);
        assert.equal(staged.slice(100, 136), id(2));
        assert.equal(staged.slice(136), '7');
        const fresh = Float64Array.from([9, Number.NaN, 1, 1, 1, 1, 1, -2, -1, -1, -1]);
        assert.equal(log.stage('cz8', fresh).slice(100), '8');
        assert.equal(fresh[7], -1);
        const unsupported = new native.NativeLog(1 << 20);
        const again = unsupported.replayFile(path, Float64Array.from([at, 1 << 20, 0, 1, Infinity, 0]));
        assert.equal(again.stop, 'unsupported');
        assert.equal(again.stopOffset, at);
        assert.equal(again.reason, 'seq 1 after seq 1');
        assertThrowsCode(() => log.replayFile(path, new Float64Array(2)), 'ERR_INVALID_ARGUMENT');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('NativeWal', () => {
    /** A json-v1 style frame: u32 BE length, body, u32 BE CRC-32 of the body. */
    const frameOf = (body) => {
      const bytes = Buffer.from(body);
      const frame = Buffer.alloc(bytes.length + 8);
      frame.writeUInt32BE(bytes.length, 0);
      bytes.copy(frame, 4);
      frame.writeUInt32BE(crc32(bytes), 4 + bytes.length);
      return frame;
    };

    test('appends frames, frames what an attached log commits, and refuses everything once sealed', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'igniter-wal-'));
      try {
        const path = join(dir, 'app.log');
        writeFileSync(path, 'HEAD');
        // fsync mode, group window 5 ms, group bytes 1 MiB, largest body 1 MiB.
        const wal = new native.NativeWal(path, Float64Array.from([4, 0, 0, 5, 1 << 20, 1 << 20]));
        const first = frameOf('[0]');
        wal.append(first, 1);
        const status = new Float64Array(6);
        wal.status(status);
        assert.deepEqual([...status], [0, 1, 1, 1, 4 + first.length, 0]);
        const log = new native.NativeLog(1 << 20);
        log.attachWal(wal);
        // tt 7, no valid time, schema 1, commit; store "s", key "k", value "1"; framed.
        const numbers = Float64Array.from([7, Number.NaN, 1, 1, 1, 1, 1, -1, -1, -1, -1, 1, -1]);
        const staged = log.stage('sk1', numbers);
        const bytes = readFileSync(path);
        const framed = bytes.subarray(4 + first.length);
        assert.equal(numbers[12], framed.length);
        const body = framed.subarray(4, framed.length - 4);
        assert.equal(framed.readUInt32BE(0), body.length);
        assert.equal(framed.readUInt32BE(framed.length - 4), crc32(body));
        assert.deepEqual(JSON.parse(body.toString()), [
          1,
          staged.slice(0, 36),
          1,
          's',
          'k',
          1,
          staged.slice(36, 100),
          null,
          7,
          null,
          1,
          null,
          null,
          null,
        ]);
        assert.equal(bytes.subarray(4, 4 + first.length).equals(first), true);
        assert.equal(await wal.flush(), '');
        assert.equal(wal.hasPending(), false);
        wal.seal();
        assertThrowsCode(() => wal.append(first, 3), 'ERR_CLOSED');
        // A commit whose frames the writer refuses undoes the fact.
        assertThrowsCode(() => log.stage('sk2', numbers), 'ERR_CLOSED');
        assert.equal(log.size(), 1);
        log.detachWal();
        numbers[12] = -1;
        log.stage('sk3', numbers);
        assert.equal(numbers[12], -1);
        assert.equal(log.size(), 2);
        wal.shut();
        assert.equal(readFileSync(path).length, bytes.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
