import { describe, expect, it } from 'vitest';
import { appendNotice, readNotice, rewriteNotice } from '../../src/notice.js';

describe('commit notices', () => {
  it('an append notice names the first and last seq of the batch', () => {
    expect(appendNotice('3', '7')).toBe('append 3 7');
    expect(readNotice('append 3 7')).toEqual({ kind: 'append', first: 3, last: 7 });
  });

  it('a rewrite notice reads as a rewrite', () => {
    expect(rewriteNotice(9)).toBe('rewrite 9');
    expect(readNotice('rewrite 9')).toEqual({ kind: 'rewrite' });
  });

  it('anything else reads as a rewrite, so the follower takes the path that is right for every commit', () => {
    for (const payload of [
      '12',
      '',
      undefined,
      'append 7 3',
      'append 0 2',
      'append 1',
      'append 1 2 3',
      'APPEND 1 2',
    ]) {
      expect(readNotice(payload)).toEqual({ kind: 'rewrite' });
    }
  });
});
