/**
 * What a writer's NOTIFY tells followers about the commit that sent it (the payload):
 * `append <first> <last>` for facts appended with seqs first..last, which a follower fetches
 * by seq alone; `rewrite <lastSeq>` for a compaction or prune, after which a follower re-reads
 * the layout and which facts remain. Anything else (a payload of an older writer, a bare seq)
 * reads as a rewrite: the follower then takes the path that is right for every commit.
 */
export type CommitNotice = { kind: 'append'; first: number; last: number } | { kind: 'rewrite' };

/** The payload of an append of seqs `first`..`last` (as the insert's text parameters). */
export function appendNotice(first: string, last: string): string {
  return `append ${first} ${last}`;
}

/** The payload of a rewrite that raised the high-water seq to `lastSeq`. */
export function rewriteNotice(lastSeq: number): string {
  return `rewrite ${lastSeq}`;
}

const APPEND = /^append (\d{1,16}) (\d{1,16})$/;

/** Reads a NOTIFY payload; see {@link CommitNotice}. Never throws. */
export function readNotice(payload: string | undefined): CommitNotice {
  const match = APPEND.exec(payload ?? '');
  if (!match) return { kind: 'rewrite' };
  const first = Number(match[1]);
  const last = Number(match[2]);
  return first >= 1 && first <= last ? { kind: 'append', first, last } : { kind: 'rewrite' };
}
