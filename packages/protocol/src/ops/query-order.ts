import { canonicalJson, IgniterError, type Json } from '@igniter/core';
import type { KeyedValue, QueryOrder } from '../wire-types.js';

/** A resolved sort order. */
export interface SortOrder {
  field: string;
  descending: boolean;
}

/** Checks `order`; throws `ERR_INVALID_ARGUMENT` for an empty field or an unknown direction. */
export function sortOrder(order: QueryOrder | undefined): SortOrder | undefined {
  if (order === undefined) return undefined;
  const field = typeof order === 'string' ? order : order.field;
  const direction = typeof order === 'string' ? 'asc' : (order.direction ?? 'asc');
  if (field.length === 0) {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'order must name a value field', {
      details: { field: 'order' },
    });
  }
  if (direction !== 'asc' && direction !== 'desc') {
    throw new IgniterError('ERR_INVALID_ARGUMENT', 'order.direction must be "asc" or "desc"', {
      details: { field: 'order.direction' },
    });
  }
  return { field, descending: direction === 'desc' };
}

/** Rank of a JSON type in the total order: null, booleans, numbers, strings, arrays, objects. */
function rank(value: Json): number {
  if (value === null) return 0;
  switch (typeof value) {
    case 'boolean':
      return 1;
    case 'number':
      return 2;
    case 'string':
      return 3;
    default:
      return Array.isArray(value) ? 4 : 5;
  }
}

function compareJson(a: Json, b: Json): number {
  const byRank = rank(a) - rank(b);
  if (byRank !== 0) return byRank;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a === null) return 0;
  const ca = canonicalJson(a);
  const cb = canonicalJson(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

function fieldOf(value: Json, field: string): Json | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, field) ? value[field] : undefined;
}

function byKey(a: KeyedValue, b: KeyedValue): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Sorts items in place: by key (UTF-16 order) without an order; else by the value field in a
 * total order over JSON types (null < booleans < numbers < strings < arrays < objects), items
 * without the field last in either direction, ties by key. Never throws on mixed types (C-23).
 */
export function sortItems(items: KeyedValue[], order: SortOrder | undefined): KeyedValue[] {
  if (!order) return items.sort(byKey);
  const sign = order.descending ? -1 : 1;
  return items.sort((a, b) => {
    const va = fieldOf(a.value, order.field);
    const vb = fieldOf(b.value, order.field);
    if (va === undefined || vb === undefined) {
      if (va !== vb) return va === undefined ? 1 : -1;
      return byKey(a, b);
    }
    return sign * compareJson(va, vb) || byKey(a, b);
  });
}
