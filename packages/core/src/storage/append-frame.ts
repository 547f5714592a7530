import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import type { FactCodec } from './fact-codec.js';
import { FRAME_OVERHEAD } from './frame.js';

/**
 * The frame a backend appends for `fact`: encoded by `codec`, with a seq above `highWater`
 * (the highest seq the backend wrote) and a body of at most `maxFrameBytes`. Throws
 * `ERR_INVALID_ARGUMENT` for a malformed fact or a seq not above `highWater`, and
 * `ERR_VALUE_TOO_LARGE` for a body over the limit. Cost: one encode.
 */
export function appendFrame(codec: FactCodec, fact: Fact, highWater: number, maxFrameBytes: number): Buffer {
  const frame = codec.frame(fact);
  if (fact.seq <= highWater) {
    throw new IgniterError(
      'ERR_INVALID_ARGUMENT',
      `fact seq ${fact.seq} is not above the highest seq written, ${highWater}`,
    );
  }
  if (frame.length - FRAME_OVERHEAD > maxFrameBytes) {
    throw new IgniterError(
      'ERR_VALUE_TOO_LARGE',
      `fact ${fact.id} encodes to ${frame.length - FRAME_OVERHEAD} bytes; maxFrameBytes is ${maxFrameBytes}`,
    );
  }
  return frame;
}

/**
 * The frames of a batch of facts, in order, each checked as by {@link appendFrame} (the seqs
 * increasing from above `highWater`): throws on the first bad one, so either every frame is
 * returned or none. Cost: one encode per fact.
 */
export function appendFrames(
  codec: FactCodec,
  facts: readonly Fact[],
  highWater: number,
  maxFrameBytes: number,
): Buffer[] {
  let seq = highWater;
  return facts.map((fact) => {
    const frame = appendFrame(codec, fact, seq, maxFrameBytes);
    seq = fact.seq;
    return frame;
  });
}
