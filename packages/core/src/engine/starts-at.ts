/**
 * `text.startsWith(part, at)`, as V8 runs it fastest: `startsWith` with a position takes a slow
 * builtin path (~30 ns a call in Node 20, most of a flat value's decode time), while `indexOf`
 * is a fast search that stops at `at` when `part` is there. Both agree for every `at` from 0
 * to `text.length` (an empty `part` is found at `at`); a decoder never asks past the end.
 */
export function startsAt(text: string, part: string, at: number): boolean {
  return text.indexOf(part, at) === at;
}
