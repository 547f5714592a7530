import { describe, expect, it } from 'vitest';
import type { Backend, StoreLink, StoreRole } from '../src/backend.js';
import { IgniterError } from '../src/errors.js';
import type { Fact } from '../src/fact.js';
import { IgniterStore } from '../src/store.js';
import { ENGINE_KIND } from './support/engine.js';
import { newStore, thrown } from './support/store.js';

/**
 * A backend that follows facts committed by another in-memory store (the "writer"): what a
 * PostgreSQL or file follower does over the network or the disk, here by hand.
 */
class HandFedFollower implements Backend {
  store: StoreLink | undefined;
  #role: StoreRole = 'follower';
  replay(): Iterable<Fact> {
    return [];
  }
  writeFact(): void {
    if (this.#role === 'follower') throw new IgniterError('ERR_READ_ONLY', 'read-only');
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  role(): StoreRole {
    return this.#role;
  }
  async promote(): Promise<void> {
    this.#role = 'writer';
  }
  link(link: StoreLink): void {
    this.store = link;
  }
}

function pair(): { writer: IgniterStore; follower: IgniterStore; feed: HandFedFollower; ship: () => void } {
  const { store: writer } = newStore();
  const feed = new HandFedFollower();
  const follower = new IgniterStore({ backend: feed });
  let shipped = 0;
  const ship = () => {
    const fresh = writer.factLogAll().filter((f) => f.seq > shipped);
    shipped = writer.factLogAll().at(-1)?.seq ?? shipped;
    feed.store?.applyFacts(fresh, shipped);
  };
  return { writer, follower, feed, ship };
}

describe(`replication support in the store (${ENGINE_KIND} engine)`, () => {
  it('an in-memory store is a writer, and promote() resolves at once', async () => {
    const { store } = newStore();
    expect(store.role).toBe('writer');
    await expect(store.promote()).resolves.toBeUndefined();
  });

  it('waitForSeq resolves at once for a seq already committed, and after the write that commits it', async () => {
    const { store } = newStore();
    store.write({ store: 's', key: 'a', value: 1 });
    await expect(store.waitForSeq(1)).resolves.toBeUndefined();
    const waiting = store.waitForSeq(2, { timeoutMs: 5000 });
    store.write({ store: 's', key: 'b', value: 2 });
    await expect(waiting).resolves.toBeUndefined();
  });

  it('waitForSeq rejects with ERR_TIMEOUT past timeoutMs', async () => {
    const { store } = newStore();
    await expect(store.waitForSeq(1, { timeoutMs: 10 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
  });

  it('waitForSeq rejects bad arguments with ERR_INVALID_ARGUMENT', async () => {
    const { store } = newStore();
    await expect(store.waitForSeq(-1)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(store.waitForSeq(1.5)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(store.waitForSeq(1, { timeoutMs: -1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('a wait still pending when the store closes rejects with ERR_CLOSED', async () => {
    const { store } = newStore();
    const waiting = store.waitForSeq(1);
    await store.close();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('a follower refuses writes with ERR_READ_ONLY before touching its arguments', async () => {
    const { follower } = pair();
    expect(follower.role).toBe('follower');
    expect(thrown(() => follower.write({ store: 's', key: 'k', value: 1 })).code).toBe('ERR_READ_ONLY');
    expect(thrown(() => follower.writeMany([])).code).toBe('ERR_READ_ONLY');
    expect(thrown(() => follower.append({ history: 'h', event: {} })).code).toBe('ERR_READ_ONLY');
    expect(thrown(() => follower.compact()).code).toBe('ERR_READ_ONLY');
    await expect(follower.checkpoint()).rejects.toMatchObject({ code: 'ERR_READ_ONLY' });
    expect(thrown(() => follower.pruneFactIds({ factIds: [], reason: 'r' })).code).toBe('ERR_READ_ONLY');
    expect(follower.setRetention('s', { strategy: 'ephemeral' })).toBe(follower);
  });

  it('a follower registers rules without running them, but refuses a backfill and a rebuild with ERR_READ_ONLY', async () => {
    const { follower } = pair();
    const derivation = { sourceStore: 's', targetStore: 't', targetKey: 'k', rule: () => 1 };
    expect(
      thrown(() => follower.registerDerivation({ ...derivation, name: 'd1', backfill: true })).code,
    ).toBe('ERR_READ_ONLY');
    expect(follower.registerDerivation({ ...derivation, name: 'd2' })).toBe(follower);
    await expect(follower.rebuild('d2')).rejects.toMatchObject({ code: 'ERR_READ_ONLY' });
    expect(follower.factCount()).toBe(0);
  });

  it('applied facts are read, indexed, counted and waited for like committed ones', async () => {
    const { writer, follower, ship } = pair();
    follower.registerPath({ store: 'tasks', scope: 'open', filters: { done: false } });
    const waiting = follower.waitForSeq(3, { timeoutMs: 5000 });
    writer.write({ store: 'tasks', key: 'a', value: { done: false } });
    writer.write({ store: 'tasks', key: 'b', value: { done: false } });
    writer.write({ store: 'tasks', key: 'a', value: { done: true } });
    ship();
    await expect(waiting).resolves.toBeUndefined();
    expect(follower.query({ store: 'tasks', scope: 'open' }).map((f) => f.key)).toEqual(['b']);
    expect(follower.history({ store: 'tasks', key: 'a' }).map((f) => f.id)).toEqual(
      writer.history({ store: 'tasks', key: 'a' }).map((f) => f.id),
    );
    expect(follower.factCount()).toBe(3);
  });

  it('removed facts disappear from a follower, and its end closes it', async () => {
    const { writer, follower, feed, ship } = pair();
    const gone = writer.write({ store: 's', key: 'a', value: 1 });
    ship();
    feed.store?.removeFacts([gone.id]);
    expect(follower.factById(gone.id)).toBeUndefined();
    const waiting = follower.waitForSeq(10);
    feed.store?.closed(new IgniterError('ERR_CLOSED', 'connection lost'));
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(thrown(() => follower.factCount()).code).toBe('ERR_CLOSED');
  });

  it('promote() makes a follower a writer that continues the seq', async () => {
    const { writer, follower, ship } = pair();
    writer.write({ store: 's', key: 'a', value: 1 });
    ship();
    await follower.promote();
    expect(follower.role).toBe('writer');
    expect(follower.write({ store: 's', key: 'b', value: 2 }).seq).toBe(2);
  });
});
