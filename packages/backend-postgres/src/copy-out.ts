import type { EventEmitter } from 'node:events';
import type { CopyOutLoad } from '@igniter/core/storage';

/** What {@link NativeCopyOut} uses of pg's connection (pg-copy-streams relies on the same). */
interface WireConnection {
  stream: EventEmitter;
  query(text: string): void;
}

type DataListener = (chunk: Buffer) => void;

/**
 * A pg query object ("submittable", as pg-copy-streams' are) that runs one
 * `COPY ... TO STDOUT (FORMAT binary)` and hands the connection's bytes, framing and all, to
 * a native {@link CopyOutLoad} as they come off the socket: no JS object per row, and the rows
 * are parsed and loaded on the load's worker thread while PostgreSQL still sends. While the
 * COPY runs, its bytes bypass pg's parser; from the end of its messages on (after
 * `CopyDone`, or at an `ErrorResponse`) pg reads the connection again and completes or fails
 * the query as usual.
 *
 * `done` resolves once the query completed, and rejects with pg's error when it failed or the
 * connection was lost. The caller then calls the load's `finish()`, which also hands back the
 * COPY's bytes.
 */
export class NativeCopyOut {
  readonly text: string;
  readonly done: Promise<void>;
  readonly #load: CopyOutLoad;
  #stream: EventEmitter | undefined;
  #driver: DataListener | undefined;
  #settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  constructor(text: string, load: CopyOutLoad) {
    this.text = text;
    this.#load = load;
    this.done = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
  }

  /** Called by pg when the query's turn comes: takes the connection's bytes, sends the query. */
  submit(connection: WireConnection): Error | undefined {
    const stream = connection.stream;
    const listeners = stream.listeners('data') as DataListener[];
    const driver = listeners[0];
    if (listeners.length !== 1 || !driver)
      return new Error('pg connection has not exactly one data listener');
    this.#stream = stream;
    this.#driver = driver;
    stream.removeListener('data', driver);
    stream.on('data', this.#onData);
    connection.query(this.text);
    return undefined;
  }

  readonly #onData = (chunk: Buffer): void => {
    const end = this.#load.push(chunk);
    if (end === null) return;
    const driver = this.#detach();
    const rest = chunk.subarray(end.at);
    const driverBytes = end.carried.length > 0 ? Buffer.concat([end.carried, rest]) : rest;
    if (driver && driverBytes.length > 0) driver(driverBytes);
  };

  /** Gives the connection's bytes back to pg; returns pg's listener. */
  #detach(): DataListener | undefined {
    const stream = this.#stream;
    const driver = this.#driver;
    this.#stream = undefined;
    this.#driver = undefined;
    if (stream && driver) {
      stream.removeListener('data', this.#onData);
      stream.on('data', driver);
    }
    return driver;
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    this.#settle?.resolve();
    this.#settle = undefined;
  }

  handleError(error: unknown): void {
    this.#detach();
    this.#settle?.reject(error);
    this.#settle = undefined;
  }
}
