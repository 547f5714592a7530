import { hash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IgniterError } from '@igniter/core';
import { HttpError } from '../http-error.js';
import { anyGlobMatches, type EVERY_STORE, StoreGlob } from './store-glob.js';

/**
 * A bearer token the server accepts: its name (in logs and rate limits), the secret itself or
 * its SHA-256 (hex), the store globs it may read and write, and whether it may use admin routes.
 * `admin: true` implies read and write on every store.
 */
export interface TokenSpec {
  name: string;
  token?: string;
  tokenSha256?: string;
  read?: string[];
  write?: string[];
  admin?: boolean;
}

/** What a request may do, once its token is known. */
export type Access = 'read' | 'write' | 'admin';

/** A store a request asks about: a name, or {@link EVERY_STORE}. */
export type StoreTarget = string | typeof EVERY_STORE;

/** Most store names whose access decision a principal remembers per kind of access. */
const MAX_DECISIONS = 1024;

/** An accepted token, ready to check requests. */
export class Principal {
  readonly name: string;
  readonly admin: boolean;
  readonly #read: StoreGlob[];
  readonly #write: StoreGlob[];
  /** Decisions already taken, by store name (the globs never change). */
  readonly #readDecisions = new Map<string, boolean>();
  readonly #writeDecisions = new Map<string, boolean>();

  constructor(name: string, read: readonly string[], write: readonly string[], admin: boolean) {
    this.name = name;
    this.admin = admin;
    this.#write = write.map((glob) => new StoreGlob(glob));
    // Writing a store includes reading it.
    this.#read = [...read.map((glob) => new StoreGlob(glob)), ...this.#write];
  }

  /**
   * True when the token may do `access` on `store`. Cost: one map lookup for a store asked about
   * before, else one regex test per glob.
   */
  may(access: Access, store: StoreTarget): boolean {
    if (this.admin) return true;
    if (access === 'admin') return false;
    const globs = access === 'read' ? this.#read : this.#write;
    if (typeof store !== 'string') return anyGlobMatches(globs, store);
    const decisions = access === 'read' ? this.#readDecisions : this.#writeDecisions;
    let allowed = decisions.get(store);
    if (allowed === undefined) {
      allowed = anyGlobMatches(globs, store);
      // Bounded: a client naming ever new stores cannot grow it without limit.
      if (decisions.size >= MAX_DECISIONS) decisions.clear();
      decisions.set(store, allowed);
    }
    return allowed;
  }

  /** Throws `ERR_FORBIDDEN` unless the token may do `access` on `store`. */
  require(access: Access, store: StoreTarget): void {
    if (this.may(access, store)) return;
    const what = typeof store === 'string' ? `store ${JSON.stringify(store.slice(0, 128))}` : 'every store';
    const message =
      access === 'admin'
        ? `token "${this.name}" is not an admin token`
        : `token "${this.name}" may not ${access} ${what}`;
    throw new HttpError('ERR_FORBIDDEN', message);
  }
}

/** The principal of a server without tokens (loopback only): it may do everything. */
export const LOOPBACK_PRINCIPAL = new Principal('loopback', [], [], true);

const TOKEN_FIELDS = new Set(['name', 'token', 'tokenSha256', 'read', 'write', 'admin']);

/** A bad token configuration: the server does not start. */
function invalid(message: string): IgniterError {
  return new IgniterError('ERR_INVALID_ARGUMENT', message);
}

function globList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((glob) => typeof glob !== 'string' || glob.length === 0)) {
    throw invalid(`${what} must be an array of non-empty store globs`);
  }
  return value as string[];
}

function sha256(secret: string): Buffer {
  // The one-shot hash: no Hash object per request.
  return hash('sha256', secret, 'buffer');
}

interface KnownToken {
  digest: Buffer;
  principal: Principal;
}

/**
 * The tokens a server accepts. Secrets are kept only as SHA-256 digests; a presented token is
 * hashed and compared with every known digest by `timingSafeEqual`, without stopping at the
 * first match, so the time taken does not tell which token (or how much of one) matched.
 */
export class TokenSet {
  readonly #known: KnownToken[];

  /**
   * Checks the specs: an array of objects with a unique non-empty `name`, exactly one of `token`
   * (non-empty) or `tokenSha256` (64 hex characters), optional `read`/`write` glob arrays and
   * `admin` boolean, and no other field. Throws `ERR_INVALID_ARGUMENT` naming the bad entry.
   * Cost: one SHA-256 per token.
   */
  constructor(specs: unknown) {
    if (!Array.isArray(specs)) throw invalid('tokens must be an array of token objects');
    const names = new Set<string>();
    this.#known = specs.map((spec, i) => {
      const at = `tokens[${i}]`;
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
        throw invalid(`${at} must be an object`);
      const fields = spec as Record<string, unknown>;
      for (const field of Object.keys(fields)) {
        if (!TOKEN_FIELDS.has(field)) throw invalid(`${at} has an unknown field "${field}"`);
      }
      const { name, token, tokenSha256, admin } = fields;
      if (typeof name !== 'string' || name.length === 0)
        throw invalid(`${at}.name must be a non-empty string`);
      if (names.has(name)) throw invalid(`${at}.name "${name}" is used twice`);
      names.add(name);
      if ((token === undefined) === (tokenSha256 === undefined)) {
        throw invalid(`${at} needs exactly one of token and tokenSha256`);
      }
      if (token !== undefined && (typeof token !== 'string' || token.length === 0)) {
        throw invalid(`${at}.token must be a non-empty string`);
      }
      if (
        tokenSha256 !== undefined &&
        (typeof tokenSha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(tokenSha256))
      ) {
        throw invalid(`${at}.tokenSha256 must be 64 hex characters (the SHA-256 of the token)`);
      }
      if (admin !== undefined && typeof admin !== 'boolean') throw invalid(`${at}.admin must be a boolean`);
      const digest = typeof token === 'string' ? sha256(token) : Buffer.from(String(tokenSha256), 'hex');
      const principal = new Principal(
        name,
        globList(fields.read, `${at}.read`),
        globList(fields.write, `${at}.write`),
        admin === true,
      );
      return { digest, principal };
    });
  }

  /** Number of tokens. */
  get size(): number {
    return this.#known.length;
  }

  /** The token's principal, or undefined for an unknown token. Cost: one SHA-256, one compare per token. */
  authenticate(presented: string): Principal | undefined {
    const digest = sha256(presented);
    let found: Principal | undefined;
    for (const known of this.#known) {
      if (timingSafeEqual(known.digest, digest) && !found) found = known.principal;
    }
    return found;
  }
}

/**
 * Reads a tokens file: a JSON array of {@link TokenSpec}. Throws `ERR_INVALID_ARGUMENT` when it
 * cannot be read or parsed (the message names the file, for the operator starting the server).
 */
export function readTokensFile(path: string): TokenSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(`cannot read the tokens file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as TokenSpec[];
  } catch {
    throw invalid(`the tokens file ${path} is not valid JSON`);
  }
}
