// The difference between two JSON values, as the paths that were added, removed or changed.

import type { Json } from './types.js';

export interface DiffLine {
  op: 'added' | 'removed' | 'changed';
  path: string;
  before?: Json;
  after?: Json;
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function walk(path: string, before: Json | undefined, after: Json | undefined, out: DiffLine[]): void {
  if (before === undefined && after !== undefined) {
    out.push({ op: 'added', path, after });
    return;
  }
  if (after === undefined && before !== undefined) {
    out.push({ op: 'removed', path, before });
    return;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) walk(childPath(path, key), before[key], after[key], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let index = 0; index < length; index += 1)
      walk(childPath(path, index), before[index], after[index], out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ op: 'changed', path, before, after });
}

/** Every leaf that differs between `before` and `after`, paths from `$` in key order. */
export function jsonDiff(before: Json, after: Json): DiffLine[] {
  const out: DiffLine[] = [];
  walk('$', before, after, out);
  return out;
}
