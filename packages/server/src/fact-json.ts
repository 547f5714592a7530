import type { Fact, JsonObject } from '@igniter/core';
import { factValueJson } from '@igniter/core/storage';
import type { FastifyReply } from 'fastify';

/** The content type of a JSON body the server writes itself. */
const JSON_TYPE = 'application/json; charset=utf-8';

function meta(value: JsonObject | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

function text(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/**
 * `JSON.stringify(fact)`, written without decoding the value: a native engine's fact hands over
 * the canonical JSON it holds (`factValueJson`), which is what `JSON.stringify` of its decoded
 * value gives (RFC 8785 writes strings and numbers as ECMAScript does; only objects with
 * integer-like keys come out in canonical key order instead of JavaScript's). Every field of
 * the TS `Fact`, in its order. Cost: one slice (native) or one stringify of the value, and a
 * few short strings.
 */
export function factJson(fact: Fact): string {
  return (
    `{"id":${JSON.stringify(fact.id)},"seq":${fact.seq},"store":${JSON.stringify(fact.store)},` +
    `"key":${JSON.stringify(fact.key)},"value":${factValueJson(fact)},` +
    `"valueHash":${JSON.stringify(fact.valueHash)},"causation":${text(fact.causation)},` +
    `"transactionTime":${fact.transactionTime},"validTime":${fact.validTime ?? 'null'},` +
    `"schemaVersion":${fact.schemaVersion},"producer":${meta(fact.producer)},` +
    `"derivation":${meta(fact.derivation)},"idempotencyKey":${text(fact.idempotencyKey)}}`
  );
}

/** A JSON array of facts, each as {@link factJson}. */
export function factsJson(facts: readonly Fact[]): string {
  let out = '[';
  for (let i = 0; i < facts.length; i++) {
    if (i > 0) out += ',';
    out += factJson(facts[i] as Fact);
  }
  return `${out}]`;
}

/**
 * Sets the JSON content type on `reply` and returns `{"fact":<fact>}` as text, for a route to
 * return: Fastify sends a string under a JSON content type as it is, without serialising again.
 */
export function factBody(reply: FastifyReply, fact: Fact): string {
  reply.header('content-type', JSON_TYPE);
  return `{"fact":${factJson(fact)}}`;
}

/** Like {@link factBody} for `{"facts":[...]}` followed by the other fields of `rest` (JSON-encoded). */
export function factsBody(
  reply: FastifyReply,
  facts: readonly Fact[],
  rest: Record<string, unknown> = {},
): string {
  reply.header('content-type', JSON_TYPE);
  let out = `{"facts":${factsJson(facts)}`;
  for (const name of Object.keys(rest)) {
    const value = rest[name];
    if (value !== undefined) out += `,${JSON.stringify(name)}:${JSON.stringify(value)}`;
  }
  return `${out}}`;
}
