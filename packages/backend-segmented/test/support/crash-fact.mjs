import { createHash } from 'node:crypto';

/**
 * The fact with seq `seq` of the crash test: fully determined by its seq, in one of three
 * stores, with a value whose size varies so that frames and segments end at varied offsets.
 * @param {number} seq
 */
export function crashFact(seq) {
  const value = { n: seq, pad: 'é✓'.repeat(seq % 61), tags: seq % 3 === 0 ? ['x', seq] : [] };
  const canonical = JSON.stringify({ n: value.n, pad: value.pad, tags: value.tags });
  return {
    id: `0190f2a0-0000-7000-8000-${seq.toString(16).padStart(12, '0')}`,
    seq,
    store: ['alpha', 'beta/../x', 'Gamma'][seq % 3],
    key: `k${seq % 17}`,
    value,
    valueHash: createHash('sha256').update(canonical).digest('hex'),
    causation: null,
    transactionTime: 1_714_200_000_000 + seq * 10,
    validTime: seq % 5 === 0 ? 1_600_000_000_000 + seq / 4 : null,
    schemaVersion: 1,
    producer: seq % 7 === 0 ? { by: 'crash-test' } : null,
    derivation: null,
    idempotencyKey: null,
  };
}
