import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Fact } from '@igniter/core';
import { encodeHeader, FileKind } from '@igniter/core/storage';
import { contractFact, useTempDir } from '@igniter/core/testing';
import { describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/index.js';

const temp = useTempDir('igniter-file-');
const facts = [1, 2, 3, 4].map((seq) => contractFact(seq));
const kept = [facts[0], facts[2]] as Fact[];

/** A log holding facts 1-4 (the old state); returns its path and a copy of its files. */
function oldState(): { path: string; saved: (name: string) => string } {
  const path = join(temp.dir(), 'app.log');
  const backend = new FileBackend(path);
  for (const fact of facts) backend.writeFact(fact);
  backend.closeSync();
  mkdirSync(join(temp.dir(), 'saved'));
  copyFileSync(path, join(temp.dir(), 'saved', 'log'));
  return { path, saved: (name) => join(temp.dir(), 'saved', name) };
}

/** Prunes to facts 1 and 3 (the new state). */
function prune(path: string): void {
  const backend = new FileBackend(path);
  backend.replay();
  backend.replaceWithSnapshot(kept, { lastSeq: 4 });
  backend.closeSync();
}

function reopen(path: string): { facts: Fact[]; highWater: number; removed: string[] } {
  const backend = temp.track(new FileBackend(path));
  return {
    facts: [...backend.replay()],
    highWater: backend.highWaterSeq(),
    removed: backend.recoveryReport().removedTempFiles,
  };
}

describe('a crash in the middle of replaceWithSnapshot leaves the old or the new state', () => {
  it('while the snapshot temp file was being written: the old state, temp file removed', () => {
    const { path } = oldState();
    const temp1 = `${path}.snapshot.tmp-999-abc`;
    writeFileSync(temp1, Buffer.concat([encodeHeader(FileKind.snapshot, 1), Buffer.from([0, 0, 1])]));
    const state = reopen(path);
    expect(state.facts).toEqual(facts);
    expect(state.removed).toEqual([temp1]);
    expect(existsSync(temp1)).toBe(false);
  });

  it('after the snapshot was complete but before its rename: the old state', () => {
    const { path, saved } = oldState();
    prune(path);
    // Roll back to before the rename: the complete new snapshot is still a temp file.
    renameSync(`${path}.snapshot`, `${path}.snapshot.tmp-999-abc`);
    copyFileSync(saved('log'), path);
    const state = reopen(path);
    expect(state.facts).toEqual(facts);
    expect(state.removed).toEqual([`${path}.snapshot.tmp-999-abc`]);
  });

  it('after the snapshot rename but before the log was cut: the new state, dropped facts stay gone', () => {
    const { path, saved } = oldState();
    prune(path);
    copyFileSync(saved('log'), path); // the old log, still holding facts 2 and 4
    const state = reopen(path);
    expect(state.facts).toEqual(kept);
    expect(state.highWater).toBe(4);
  });

  it('before the log was cut, with a torn tail on the old log: the new state, the torn bytes reported', () => {
    const { path, saved } = oldState();
    prune(path);
    copyFileSync(saved('log'), path);
    appendFileSync(path, Buffer.from([0, 0, 0, 9, 1])); // a frame torn after its length
    const backend = temp.track(new FileBackend(path));
    expect([...backend.replay()]).toEqual(kept);
    expect(backend.recoveryReport().recoveredTailBytes).toBe(5);
  });

  it('after the new empty log was written but before its rename: the new state', () => {
    const { path, saved } = oldState();
    prune(path);
    copyFileSync(path, `${path}.tmp-999-abc`);
    copyFileSync(saved('log'), path);
    const state = reopen(path);
    expect(state.facts).toEqual(kept);
    expect(state.removed).toEqual([`${path}.tmp-999-abc`]);
  });

  it('writes after a reopen in the new state continue above the old seqs and survive', () => {
    const { path, saved } = oldState();
    prune(path);
    copyFileSync(saved('log'), path);
    const backend = new FileBackend(path);
    backend.replay();
    backend.writeFact(contractFact(5));
    backend.closeSync();
    expect(reopen(path).facts).toEqual([...kept, contractFact(5)]);
  });

  it('a checkpoint interrupted before the log was cut replays each fact once', () => {
    const { path, saved } = oldState();
    const backend = new FileBackend(path);
    backend.replay();
    backend.writeSnapshot(facts, { lastSeq: 4 });
    backend.closeSync();
    copyFileSync(saved('log'), path);
    expect(reopen(path).facts).toEqual(facts);
  });
});

describe('a snapshot that cannot be written', () => {
  it('throws and changes nothing: the log keeps every fact and takes more writes', () => {
    const path = join(temp.dir(), 'app.log');
    const backend = temp.track(new FileBackend(path));
    for (const fact of facts) backend.writeFact(fact);
    mkdirSync(`${path}.snapshot`); // renaming a file over a directory fails
    expect(() => backend.replaceWithSnapshot(kept, { lastSeq: 4 })).toThrow();
    expect(readdirSync(temp.dir()).sort()).toEqual(['app.log', 'app.log.lock', 'app.log.snapshot']);
    backend.writeFact(contractFact(5));
    expect([...backend.replay()]).toEqual([...facts, contractFact(5)]);
  });
});
