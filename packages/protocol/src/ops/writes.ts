import { type Fact, type IgniterStore, valueHash, type WriteInput } from '@igniter/core';
import type { OpContext } from '../context.js';
import { capEcho } from '../echo-cap.js';
import { decodePacket, packetProblem } from '../packet-spec.js';
import { receipt, refusedWrite } from '../receipts.js';
import { SPECS, WRITE_SPEC } from '../specs.js';
import type { AppendPacket, Receipt, WritePacket } from '../wire-types.js';

const REPEAT_WARNING = 'idempotent repeat: the fact committed earlier under this idempotency_key is returned';

/** Fields of a fact packet the server assigns; a client's values for them are never used (C-8). */
const SERVER_ASSIGNED = ['id', 'seq', 'transaction_time'] as const;

/** Runs a commit and tells whether it added facts (an idempotent repeat adds none). */
function committed(store: IgniterStore, commit: () => Fact): { fact: Fact; repeat: boolean } {
  const before = store.factCount();
  const fact = commit();
  return { fact, repeat: store.factCount() === before };
}

function toWriteInput(p: WritePacket): WriteInput {
  const input: WriteInput = { store: p.store, key: p.key, value: p.value };
  // An explicit causation (null included) replaces the default chain link; absent keeps it.
  if (p.causation !== undefined) input.causation = p.causation;
  if (p.valid_time !== undefined && p.valid_time !== null) input.validTime = p.valid_time;
  if (p.schema_version !== undefined) input.schemaVersion = p.schema_version;
  if (p.producer !== undefined) input.producer = p.producer;
  if (p.derivation !== undefined) input.derivation = p.derivation;
  if (p.expect !== undefined) input.expect = p.expect;
  if (p.idempotency_key !== undefined) input.idempotencyKey = p.idempotency_key;
  return input;
}

function commitWrite(ctx: OpContext, p: WritePacket, warnings: string[]): Receipt {
  try {
    const { fact, repeat } = committed(ctx.store, () => ctx.store.write(toWriteInput(p)));
    return receipt('receipt', repeat ? 'unchanged' : 'accepted', {
      store: fact.store,
      key: fact.key,
      fact,
      warnings: repeat ? [...warnings, REPEAT_WARNING] : warnings,
    });
  } catch (error) {
    return refusedWrite(error, 'receipt', p.store, p.key);
  }
}

/**
 * Writes one fact: every field of the packet reaches the store (C-4). Returns a `receipt`:
 * `accepted`; `unchanged` for an idempotent repeat (the earlier fact); `conflict` with
 * `ERR_CONFLICT` when `expect` fails or an idempotency key is reused with another value;
 * `rejected` for a value or name the store refuses. Throws `ERR_INVALID_ARGUMENT` for a
 * malformed packet (over the wire: `ERR_BAD_REQUEST`) and `ERR_CLOSED`. Cost: one store write.
 */
export function write(ctx: OpContext, packet: unknown): Receipt {
  return commitWrite(ctx, decodePacket<WritePacket>(SPECS.write, packet, 'write'), []);
}

function badFact(message: string, store?: unknown, key?: unknown): Receipt {
  return receipt('receipt', 'rejected', {
    store: typeof store === 'string' ? store : undefined,
    key: typeof key === 'string' ? key : undefined,
    errors: [message],
    errorCode: 'ERR_BAD_REQUEST',
  });
}

/**
 * Ingests a fact packet (`kind: 'fact'`) as a write with the same fields as `write`. The server
 * assigns id, seq and time: client values for them are ignored with a warning; a `value_hash`
 * is verified against the value, never trusted. Every problem, malformed packets included, is
 * a `rejected` receipt (a packet is a document). Throws only `ERR_CLOSED` and backend errors.
 */
export function writeFact(ctx: OpContext, packet: unknown): Receipt {
  if (typeof packet !== 'object' || packet === null || Array.isArray(packet)) {
    return badFact('write_fact: the packet must be an object');
  }
  const { kind, value_hash: claimedHash, ...rest } = packet as Record<string, unknown>;
  if (kind !== 'fact')
    return badFact(
      `write_fact: expected kind "fact", got ${capEcho(JSON.stringify(kind ?? null) ?? 'undefined')}`,
    );
  const ignored = SERVER_ASSIGNED.filter((field) => rest[field] !== undefined);
  for (const field of SERVER_ASSIGNED) delete rest[field];
  const problem = packetProblem(WRITE_SPEC, rest);
  if (problem) return badFact(`write_fact: ${problem.message}`, rest.store, rest.key);
  // packetProblem just checked every field against WRITE_SPEC, the shape WritePacket names.
  const input = rest as unknown as WritePacket;
  if (claimedHash !== undefined) {
    let actual: string;
    try {
      actual = valueHash(input.value);
    } catch (error) {
      return refusedWrite(error, 'receipt', input.store, input.key);
    }
    if (claimedHash !== actual) {
      return receipt('receipt', 'rejected', {
        store: input.store,
        key: input.key,
        errors: ['write_fact: value_hash does not match the SHA-256 of the canonical value'],
        errorCode: 'ERR_INVALID_VALUE',
        errorDetails: { value_hash: actual },
      });
    }
  }
  const warnings =
    ignored.length === 0
      ? []
      : [`ignored server-assigned fields: ${ignored.join(', ')} (the store assigns them)`];
  return commitWrite(ctx, input, warnings);
}

/**
 * Appends an event to a history under a fresh key (returned in the receipt, kind
 * `append_receipt`). A client `key` is ignored with a warning. Outcomes as for `write`
 * (`unchanged` for an idempotent repeat). Throws `ERR_INVALID_ARGUMENT` for a malformed packet.
 */
export function append(ctx: OpContext, packet: unknown): Receipt {
  const p = decodePacket<AppendPacket>(SPECS.append, packet, 'append');
  try {
    const { fact, repeat } = committed(ctx.store, () =>
      ctx.store.append({
        history: p.history,
        event: p.event,
        partitionKey: p.partition_key,
        schemaVersion: p.schema_version,
        validTime: p.valid_time ?? undefined,
        producer: p.producer,
        derivation: p.derivation,
        idempotencyKey: p.idempotency_key,
      }),
    );
    const warnings: string[] = [];
    if (p.key !== undefined && p.key !== fact.key) {
      warnings.push(
        `append key ${JSON.stringify(p.key)} is ignored: histories generate keys; the fact key is returned`,
      );
    }
    if (repeat) warnings.push(REPEAT_WARNING);
    return receipt('append_receipt', repeat ? 'unchanged' : 'accepted', {
      store: fact.store,
      key: fact.key,
      fact,
      warnings,
    });
  } catch (error) {
    return refusedWrite(error, 'append_receipt', p.history);
  }
}
