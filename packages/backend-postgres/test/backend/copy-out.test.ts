import { EventEmitter } from 'node:events';
import { PreloadedFactLoader } from '@igniter/core/storage';
import { describe, expect, it } from 'vitest';
import { NativeCopyOut } from '../../src/copy-out.js';

/** One backend message: its code, its length (counting itself) and its body. */
function message(code: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** A binary COPY of no rows: the signature, flags, header extension length, the trailer. */
const EMPTY_COPY = Buffer.concat([
  Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
  Buffer.alloc(8),
  Buffer.from([0xff, 0xff]),
]);

/** A connection as NativeCopyOut sees it, whose driver records what it is handed. */
function fakeConnection() {
  const stream = new EventEmitter();
  const driverBytes: Buffer[] = [];
  const sent: string[] = [];
  stream.on('data', (chunk: Buffer) => driverBytes.push(chunk));
  return { stream, driverBytes, sent, query: (text: string) => sent.push(text) };
}

function startLoad() {
  const loader = PreloadedFactLoader.forEngine('native');
  const load = loader?.startCopyLoad();
  if (!load) throw new Error('the native addon with copyBegin is needed here');
  return load;
}

describe('NativeCopyOut: the COPY off the wire, handed back to pg where its messages end', () => {
  const copyDone = Buffer.concat([
    message('H', Buffer.from([1, 0, 0])),
    message('d', EMPTY_COPY),
    message('c'),
  ]);
  const driverPart = Buffer.concat([message('C', Buffer.from('COPY 0\0')), message('Z', Buffer.from('I'))]);
  const wire = Buffer.concat([copyDone, driverPart]);

  it('gives pg exactly the bytes after CopyDone, wherever the socket cuts, and finishes the load', async () => {
    for (let cut = 0; cut <= wire.length; cut++) {
      const connection = fakeConnection();
      const load = startLoad();
      const copy = new NativeCopyOut('COPY x TO STDOUT (FORMAT binary)', load);
      expect(copy.submit(connection)).toBeUndefined();
      expect(connection.sent).toEqual(['COPY x TO STDOUT (FORMAT binary)']);
      for (const piece of [wire.subarray(0, cut), wire.subarray(cut)]) {
        if (piece.length > 0) connection.stream.emit('data', piece);
      }
      expect(Buffer.concat(connection.driverBytes)).toEqual(driverPart);
      // The driver reads the connection again: later bytes go to it alone.
      connection.stream.emit('data', Buffer.from('later'));
      expect(Buffer.concat(connection.driverBytes)).toEqual(
        Buffer.concat([driverPart, Buffer.from('later')]),
      );
      copy.handleCommandComplete();
      copy.handleReadyForQuery();
      await copy.done;
      const result = load.finish();
      expect({ loaded: result.loaded, ended: result.ended }).toEqual({ loaded: 0, ended: true });
      expect(Buffer.concat(result.bytes ?? [])).toEqual(EMPTY_COPY);
    }
  });

  it('gives pg an ErrorResponse whole, also when its first bytes came in the piece before, and rejects', async () => {
    const before = Buffer.concat([
      message('H', Buffer.from([1, 0, 0])),
      message('d', EMPTY_COPY.subarray(0, 12)),
    ]);
    const error = message('E', Buffer.from('SERROR\0C57014\0Mcanceling statement\0\0'));
    const wire = Buffer.concat([before, error, message('Z', Buffer.from('I'))]);
    for (let cut = before.length; cut <= before.length + 5; cut++) {
      const connection = fakeConnection();
      const load = startLoad();
      const copy = new NativeCopyOut('COPY x TO STDOUT (FORMAT binary)', load);
      copy.submit(connection);
      connection.stream.emit('data', wire.subarray(0, cut));
      connection.stream.emit('data', wire.subarray(cut));
      expect(Buffer.concat(connection.driverBytes)).toEqual(wire.subarray(before.length));
      const failure = new Error('canceling statement');
      copy.handleError(failure);
      await expect(copy.done).rejects.toBe(failure);
      expect(() => load.finish()).toThrow(expect.objectContaining({ code: 'ERR_CORRUPT_LOG' }));
    }
  });
});
