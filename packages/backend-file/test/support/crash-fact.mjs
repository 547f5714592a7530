import { createHash } from 'node:crypto';

/**
 * The fact with seq `seq` of the crash test: fully determined by its seq, with a value whose
 * size varies so that frames end at varied offsets.
 * @param {number} seq
 */
export function crashFact(seq) {
  const value = { n: seq, pad: 'é✓'.repeat(seq % 97), tags: seq % 3 === 0 ? ['x', seq] : [] };
  const canonical = JSON.stringify({ n: value.n, pad: value.pad, tags: value.tags });
  return {
    id: `0190f2a0-0000-7000-8000-${seq.toString(16).padStart(12, '0')}`,
    seq,
    store: seq % 2 === 0 ? 'even' : 'odd',
    key: `k${seq % 17}`,
    value,
    valueHash: createHash('sha256').update(canonical).digest('hex'),
    causation: seq > 1 ? `0190f2a0-0000-7000-8000-${(seq - 1).toString(16).padStart(12, '0')}` : null,
    transactionTime: 1_714_200_000_000 + seq,
    validTime: seq % 5 === 0 ? 1_600_000_000_000 + seq / 4 : null,
    schemaVersion: 1 + (seq % 2),
    producer: seq % 7 === 0 ? { by: 'crash-test' } : null,
    derivation: null,
    idempotencyKey: seq % 11 === 0 ? `idem-${seq}` : null,
  };
}
