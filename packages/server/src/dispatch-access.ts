import type { IgniterStore } from '@igniter/core';
import { EVERY_STORE } from './auth/store-glob.js';
import type { Access, StoreTarget } from './auth/tokens.js';

/** What one protocol request needs: an access on each of some stores. */
export interface Need {
  access: Access;
  stores: StoreTarget[];
}

type Packet = Record<string, unknown>;

function named(value: unknown): StoreTarget {
  // A missing or mistyped name asks for every store; the dispatcher then rejects the packet.
  return typeof value === 'string' ? value : EVERY_STORE;
}

function field(packet: Packet, name: string): unknown {
  return packet[name];
}

const readOf =
  (name: string) =>
  (packet: Packet): Need => ({ access: 'read', stores: [named(field(packet, name))] });
const writeOf =
  (name: string) =>
  (packet: Packet): Need => ({ access: 'write', stores: [named(field(packet, name))] });
/** A read of one store when the packet names one, of every store otherwise. */
const optionalReadOf =
  (name: string) =>
  (packet: Packet): Need => ({
    access: 'read',
    stores: [field(packet, name) === undefined ? EVERY_STORE : named(field(packet, name))],
  });
const everyStore = (): Need => ({ access: 'read', stores: [EVERY_STORE] });

/**
 * The access each protocol op needs, by op name. An op missing from the table (a newer op of
 * `@igniter/protocol`) needs an admin token, so nothing new is ever open by default.
 */
const NEEDS: Readonly<Record<string, (packet: Packet, store: IgniterStore) => Need>> = {
  describe: () => ({ access: 'read', stores: [] }),
  register_descriptor: () => ({ access: 'admin', stores: [] }),
  write: writeOf('store'),
  write_fact: writeOf('store'),
  append: writeOf('history'),
  read: readOf('store'),
  read_fact: readOf('store'),
  keys: readOf('store'),
  query: readOf('store'),
  stores: () => ({ access: 'read', stores: [] }),
  // A relation reads its source and target stores through an index: every store.
  resolve: everyStore,
  replay: (packet) => {
    const filter = field(packet, 'filter');
    const store = typeof filter === 'object' && filter !== null ? (filter as Packet).store : undefined;
    return { access: 'read', stores: [store === undefined ? EVERY_STORE : named(store)] };
  },
  sync_hub_profile: (packet) => {
    const stores = field(packet, 'stores');
    return {
      access: 'read',
      stores: Array.isArray(stores) && stores.length > 0 ? stores.map(named) : [EVERY_STORE],
    };
  },
  causation_chain: readOf('store'),
  lineage: readOf('store'),
  fact_ref: (packet, store) => {
    const id = field(packet, 'fact_id');
    const ref = typeof id === 'string' ? store.factRef(id) : undefined;
    // An unknown id reveals nothing: the answer is "not found" whoever asks.
    return { access: 'read', stores: ref ? [ref.store] : [] };
  },
  metadata_snapshot: everyStore,
  descriptor_snapshot: everyStore,
  observability_snapshot: everyStore,
  compaction_activity: optionalReadOf('store'),
  storage_stats: optionalReadOf('store'),
  segment_manifest: optionalReadOf('store'),
  // Rules read and write across stores: their status is for readers of every store, and running
  // them (rebuild, resume_rule) is left to admin tokens by the default below.
  rule_status: everyStore,
};

/** What a request envelope needs; `undefined` when it is malformed (the dispatcher answers that). */
export function needOf(request: unknown, store: IgniterStore): Need | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return undefined;
  const { op, packet } = request as Packet;
  if (typeof op !== 'string') return undefined;
  const rule = Object.hasOwn(NEEDS, op) ? NEEDS[op] : undefined;
  if (!rule) return { access: 'admin', stores: [] };
  const body =
    typeof packet === 'object' && packet !== null && !Array.isArray(packet) ? (packet as Packet) : {};
  return rule(body, store);
}
