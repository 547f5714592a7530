import type { Backend } from '../../src/backend.js';
import type { ChangeSink, CommitKind, CommittedLogReader } from '../../src/change-event.js';
import type { Fact } from '../../src/fact.js';

/** A backend that keeps facts in an array; `failWrites` makes `writeFact` refuse like a full disk. */
export class MemoryBackend implements Backend {
  readonly facts: Fact[];
  failWrites = false;
  closed = false;
  highWater: number | undefined;

  constructor(facts: readonly Fact[] = []) {
    this.facts = [...facts];
  }

  replay(): Iterable<Fact> {
    return [...this.facts];
  }

  writeFact(fact: Fact): void {
    if (this.failWrites) throw new Error('disk full');
    this.facts.push(fact);
  }

  highWaterSeq(): number {
    return this.highWater ?? this.facts.reduce((max, f) => Math.max(max, f.seq), 0);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A changefeed stand-in that records what the store publishes. */
export class RecordingSink implements ChangeSink {
  readonly published: Array<{ seq: number; kind: CommitKind; key: string }> = [];
  reader: CommittedLogReader | undefined;

  publish(fact: Fact, kind: CommitKind): void {
    this.published.push({ seq: fact.seq, kind, key: fact.key });
  }

  attach(reader: CommittedLogReader): void {
    this.reader = reader;
  }
}
