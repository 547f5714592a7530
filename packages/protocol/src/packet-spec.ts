import { IgniterError } from '@igniter/core';

/**
 * The JSON type a packet field must have. `nullable-*` types keep an explicit null (it means
 * something, like `causation: null`); for every other optional field null means "absent".
 */
export type FieldType =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'object'
  | 'json'
  | 'string[]'
  | 'order'
  | 'nullable-string'
  | 'nullable-number'
  | 'nullable-object';

/** The shape of one operation's packet: field types, and whether unknown fields are refused. */
export interface PacketSpec {
  readonly required: Readonly<Record<string, FieldType>>;
  readonly optional: Readonly<Record<string, FieldType>>;
  /** Refuse unknown fields: nothing a client sends is dropped silently (v1: every op but two). */
  readonly strict: boolean;
  /** Specs of object fields whose own fields are checked too. */
  readonly nested?: Readonly<Record<string, PacketSpec>>;
}

/** What is wrong with a packet, naming the field. */
export interface PacketProblem {
  field: string;
  message: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isObject(value);
    case 'json':
      return value !== undefined;
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'order':
      return (
        typeof value === 'string' ||
        (isObject(value) &&
          typeof value.field === 'string' &&
          (value.direction === undefined || typeof value.direction === 'string'))
      );
    case 'nullable-string':
      return value === null || typeof value === 'string';
    case 'nullable-number':
      return value === null || (typeof value === 'number' && Number.isFinite(value));
    case 'nullable-object':
      return value === null || isObject(value);
  }
}

const TYPE_NAMES: Record<FieldType, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a finite number',
  boolean: 'a boolean',
  object: 'an object',
  json: 'a JSON value',
  'string[]': 'an array of strings',
  order: 'a field name or { field, direction }',
  'nullable-string': 'a string or null',
  'nullable-number': 'a finite number or null',
  'nullable-object': 'an object or null',
};

/** The first problem of `packet` against `spec`, or undefined when it fits. Cost: one pass over its fields. */
export function packetProblem(spec: PacketSpec, packet: unknown, path = ''): PacketProblem | undefined {
  if (!isObject(packet)) return { field: path || 'packet', message: `${path || 'packet'} must be an object` };
  for (const [field, type] of Object.entries(spec.required)) {
    const value = packet[field];
    const name = path + field;
    if (value === undefined || (value === null && type !== 'json' && !type.startsWith('nullable-'))) {
      return { field: name, message: `missing required field: ${name}` };
    }
    if (!hasType(value, type)) return { field: name, message: `${name} must be ${TYPE_NAMES[type]}` };
  }
  for (const [field, type] of Object.entries(spec.optional)) {
    const value = packet[field];
    if (value === undefined || (value === null && !type.startsWith('nullable-'))) continue;
    const name = path + field;
    if (!hasType(value, type)) return { field: name, message: `${name} must be ${TYPE_NAMES[type]}` };
    const inner = spec.nested?.[field];
    const problem = inner && isObject(value) ? packetProblem(inner, value, `${name}.`) : undefined;
    if (problem) return problem;
  }
  if (spec.strict) {
    for (const field of Object.keys(packet)) {
      if (!(field in spec.required) && !(field in spec.optional)) {
        return { field: path + field, message: `unknown field: ${path + field}` };
      }
    }
  }
  return undefined;
}

/**
 * Checks `packet` against `spec` and returns a copy without the null-means-absent fields.
 * Throws `ERR_INVALID_ARGUMENT` (with `details.field`) when it does not fit; over the wire the
 * dispatcher reports the same problem as `ERR_BAD_REQUEST` before the operation runs.
 */
export function decodePacket<T>(spec: PacketSpec, packet: unknown, op: string): T {
  const problem = packetProblem(spec, packet);
  if (problem) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', `${op}: ${problem.message}`, {
      details: { field: problem.field },
    });
  }
  const copy: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(packet as Record<string, unknown>)) {
    const type = spec.optional[field];
    if (value === null && type !== undefined && !type.startsWith('nullable-')) continue;
    copy[field] = value;
  }
  // The checks above established every declared field's type; T names that shape.
  return copy as T;
}
