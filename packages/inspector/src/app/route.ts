// Every view has a shareable URL: the part after '#', path segments URL-encoded, options as a query.

export type Route =
  | { view: 'stores' }
  | { view: 'keys'; store: string; prefix: string; after: string | null }
  | {
      view: 'key';
      store: string;
      key: string;
      asOf: number | null;
      validAt: number | null;
      diff: [number, number] | null;
    }
  | { view: 'lineage'; store: string; key: string }
  | { view: 'fact'; id: string }
  | { view: 'tail'; stores: string[]; after: number | null }
  | { view: 'stats' }
  | { view: 'missing'; path: string };

function int(value: string | null): number | null {
  if (value === null || !/^-?\d{1,16}$/.test(value)) return null;
  return Number(value);
}

function pair(value: string | null): [number, number] | null {
  const parts = value?.split('..') ?? [];
  const a = int(parts[0] ?? null);
  const b = int(parts[1] ?? null);
  return parts.length === 2 && a !== null && b !== null ? [a, b] : null;
}

/** The route of a location hash (`#/stores/tasks/keys/t1?asOf=...`). */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = text.split('?', 2);
  const query = new URLSearchParams(search);
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { view: 'missing', path };
  }
  const [first, store, third, key, fifth] = parts;
  if (parts.length === 0) return { view: 'stores' };
  if (first === 'stats' && parts.length === 1) return { view: 'stats' };
  if (first === 'tail' && parts.length === 1) {
    const stores = query.get('stores');
    return {
      view: 'tail',
      stores: stores ? stores.split(',').filter(Boolean) : [],
      after: int(query.get('after')),
    };
  }
  if (first === 'facts' && store !== undefined && parts.length === 2) return { view: 'fact', id: store };
  if (first === 'stores' && store !== undefined) {
    if (parts.length === 2) {
      return { view: 'keys', store, prefix: query.get('prefix') ?? '', after: query.get('after') };
    }
    if (third === 'keys' && key !== undefined && parts.length === 4) {
      return {
        view: 'key',
        store,
        key,
        asOf: int(query.get('asOf')),
        validAt: int(query.get('validAt')),
        diff: pair(query.get('diff')),
      };
    }
    if (third === 'keys' && key !== undefined && fifth === 'lineage' && parts.length === 5) {
      return { view: 'lineage', store, key };
    }
  }
  return { view: 'missing', path };
}

function withQuery(path: string, query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

const e = encodeURIComponent;

/** The hash of a route: what links and the address bar hold. */
export const href = {
  stores: (): string => '#/',
  keys: (store: string, prefix = '', after: string | null = null): string =>
    withQuery(`/stores/${e(store)}`, { prefix, after }),
  key: (
    store: string,
    key: string,
    at: { asOf?: number | null; validAt?: number | null; diff?: [number, number] | null } = {},
  ): string =>
    withQuery(`/stores/${e(store)}/keys/${e(key)}`, {
      asOf: at.asOf,
      validAt: at.validAt,
      diff: at.diff ? `${at.diff[0]}..${at.diff[1]}` : null,
    }),
  lineage: (store: string, key: string): string => `#/stores/${e(store)}/keys/${e(key)}/lineage`,
  fact: (id: string): string => `#/facts/${e(id)}`,
  tail: (stores: string[] = [], after: number | null = null): string =>
    withQuery('/tail', { stores: stores.join(','), after }),
  stats: (): string => '#/stats',
};
