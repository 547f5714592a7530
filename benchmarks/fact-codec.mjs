// Fact body codec: Igniter's positional JSON record against MessagePack (msgpackr), on the
// same facts. Prints bytes per fact, encode and decode cost (CRC check included) per codec.
// Run: pnpm --filter igniter-benchmarks fact-codec   (after pnpm build)
import { createHash, randomUUID } from 'node:crypto';
import { crc32, jsonFactCodec } from '@igniter/core/storage';
import { Packr } from 'msgpackr';

const N = Number(process.env.FACTS ?? 200_000);

function makeFacts(n) {
  const facts = [];
  for (let i = 0; i < n; i++) {
    const value = {
      status: i % 3 ? 'open' : 'closed',
      amount: i * 1.25,
      items: [{ sku: `A-${i % 100}`, qty: i % 7 }],
      customer: `c-${i % 1000}`,
    };
    facts.push({
      id: randomUUID(),
      seq: i + 1,
      store: 'orders',
      key: `order-${i % 50_000}`,
      value,
      valueHash: createHash('sha256').update(JSON.stringify(value)).digest('hex'),
      causation: i % 2 ? randomUUID() : null,
      transactionTime: 1_714_200_000_000 + i,
      validTime: null,
      schemaVersion: 1,
      producer: null,
      derivation: null,
      idempotencyKey: null,
    });
  }
  return facts;
}

const packr = new Packr({ useRecords: false });
const asArray = (f) => [
  f.id,
  f.seq,
  f.store,
  f.key,
  f.value,
  f.valueHash,
  f.causation,
  f.transactionTime,
  f.validTime,
  f.schemaVersion,
  f.producer,
  f.derivation,
  f.idempotencyKey,
];
const fromArray = (a) =>
  Object.freeze({
    id: a[0],
    seq: a[1],
    store: a[2],
    key: a[3],
    value: a[4],
    valueHash: a[5],
    causation: a[6],
    transactionTime: a[7],
    validTime: a[8],
    schemaVersion: a[9],
    producer: a[10],
    derivation: a[11],
    idempotencyKey: a[12],
  });

function frameOf(body) {
  const frame = Buffer.allocUnsafe(body.length + 8);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, 4);
  frame.writeUInt32BE(crc32(body), 4 + body.length);
  return frame;
}

const codecs = {
  'json record (chosen)': {
    frame: (f) => jsonFactCodec.frame(f),
    decode: (buf, s, e) => jsonFactCodec.decode(buf, s, e),
  },
  'msgpackr, positional array': {
    frame: (f) => frameOf(packr.pack(asArray(f))),
    decode: (buf, s, e) => fromArray(packr.unpack(buf.subarray(s, e))),
  },
  'msgpackr, map with field names': {
    frame: (f) => frameOf(packr.pack(f)),
    decode: (buf, s, e) => Object.freeze(packr.unpack(buf.subarray(s, e))),
  },
};

function timeIt(run) {
  let best = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < 3; rep++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const facts = makeFacts(N);
console.log(`fact codec, ${N} facts, node ${process.version}, best of 3`);
for (const [name, codec] of Object.entries(codecs)) {
  let frames = [];
  const encodeMs = timeIt(() => {
    frames = facts.map((f) => codec.frame(f));
  });
  const file = Buffer.concat(frames);
  const decodeMs = timeIt(() => {
    const out = new Array(N);
    let at = 0;
    for (let i = 0; i < N; i++) {
      const length = file.readUInt32BE(at);
      const end = at + 4 + length;
      if (crc32(file.subarray(at + 4, end)) !== file.readUInt32BE(end)) throw new Error('crc');
      out[i] = codec.decode(file, at + 4, end);
      at = end + 4;
    }
  });
  const roundTrip =
    JSON.stringify(codec.decode(frames[1], 4, frames[1].length - 4)) === JSON.stringify(facts[1]);
  console.log(
    `${name.padEnd(32)} ${(file.length / N).toFixed(0).padStart(4)} B/fact  encode ${((encodeMs * 1000) / N).toFixed(2)} µs  decode+crc ${((decodeMs * 1000) / N).toFixed(2)} µs  round-trip ${roundTrip}`,
  );
}
const proto = JSON.parse('{"__proto__":{"x":1}}');
const back = packr.unpack(packr.pack(proto));
console.log(
  `msgpackr keeps an own "__proto__" key: ${Object.keys(back).includes('__proto__')} (keys: ${JSON.stringify(Object.keys(back))})`,
);
