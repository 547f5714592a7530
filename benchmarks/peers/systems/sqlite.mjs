// better-sqlite3: one facts table with an index for key/time reads and an id index, plus a
// table of the latest seq per key with the queried field, indexed for the field-equality query.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { QUERY_FIELD, QUERY_VALUE, STORE, uuidv7 } from '../workload.mjs';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS facts (
  seq INTEGER PRIMARY KEY, store TEXT NOT NULL, key TEXT NOT NULL, tt INTEGER NOT NULL,
  id TEXT NOT NULL, hash TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS facts_by_key ON facts (store, key, tt, seq);
CREATE UNIQUE INDEX IF NOT EXISTS facts_by_id ON facts (id);
CREATE TABLE IF NOT EXISTS latest (
  store TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, field TEXT,
  PRIMARY KEY (store, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS latest_by_field ON latest (store, field, key);
`;

const COLUMNS = 'seq, key, tt, id, hash, value';

function toFact(row) {
  return {
    id: row.id,
    seq: row.seq,
    store: STORE,
    key: row.key,
    tt: row.tt,
    hash: row.hash,
    value: JSON.parse(row.value),
  };
}

/** `mode`: 'wal' (synchronous=NORMAL, transactions of 1000) | 'full' (synchronous=FULL). */
export class SqliteSystem {
  constructor(mode, dir) {
    this.mode = mode;
    this.path = join(dir, 'facts.sqlite');
    this.seq = 0;
  }

  open() {
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${this.mode === 'full' ? 'FULL' : 'NORMAL'}`);
    db.exec(SCHEMA);
    this.db = db;
    this.seq = db.prepare('SELECT coalesce(max(seq), 0) AS s FROM facts').get().s;
    const insert = db.prepare(
      'INSERT INTO facts (seq, store, key, tt, id, hash, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const upsert = db.prepare(
      `INSERT INTO latest (store, key, seq, field) VALUES (?, ?, ?, json_extract(?, '$.${QUERY_FIELD}'))
       ON CONFLICT (store, key) DO UPDATE SET seq = excluded.seq, field = excluded.field`,
    );
    this.put = (key, value, tt) => {
      const json = JSON.stringify(value);
      const hash = createHash('sha256').update(json).digest('hex');
      this.seq += 1;
      insert.run(this.seq, STORE, key, tt, uuidv7(tt), hash, json);
      upsert.run(STORE, key, this.seq, json);
    };
    this.putBatch = db.transaction((batch, tt) => {
      for (const f of batch) this.put(f.key, f.value, tt);
    });
    this.putOne = db.transaction((key, value, tt) => this.put(key, value, tt));
    this.latestStmt = db.prepare(
      'SELECT value FROM facts WHERE store = ? AND key = ? ORDER BY tt DESC, seq DESC LIMIT 1',
    );
    this.asOfStmt = db.prepare(
      'SELECT value FROM facts WHERE store = ? AND key = ? AND tt <= ? ORDER BY tt DESC, seq DESC LIMIT 1',
    );
    this.historyStmt = db.prepare(
      `SELECT ${COLUMNS} FROM facts WHERE store = ? AND key = ? ORDER BY tt, seq`,
    );
    this.queryStmt = db.prepare(
      `SELECT f.seq, f.key, f.tt, f.id, f.hash, f.value FROM latest l JOIN facts f ON f.seq = l.seq
       WHERE l.store = ? AND l.field = ? ORDER BY l.key`,
    );
  }

  describe() {
    return { sqlite: this.db.prepare('SELECT sqlite_version() AS v').get().v, synchronous: this.mode };
  }

  writeBatch(batch, tt) {
    this.putBatch(batch, tt);
  }

  /** SQLite keeps its transactions of 1000: a commit per fact is not how it is used. */
  writeSingles(batch, tt) {
    this.putBatch(batch, tt);
  }

  settle() {}

  writeDurable(fact, tt) {
    this.putOne(fact.key, fact.value, tt);
  }

  writeOne(key, value, tt) {
    this.putOne(key, value, tt);
  }

  setNow() {}

  latest(key) {
    const row = this.latestStmt.get(STORE, key);
    return row === undefined ? undefined : JSON.parse(row.value);
  }

  asOf(key, asOf) {
    const row = this.asOfStmt.get(STORE, key, asOf);
    return row === undefined ? undefined : JSON.parse(row.value);
  }

  history(key) {
    return this.historyStmt.all(STORE, key).map(toFact);
  }

  query() {
    return this.queryStmt.all(STORE, QUERY_VALUE).map(toFact);
  }

  factCount() {
    return this.db.prepare('SELECT count(*) AS n FROM facts').get().n;
  }

  close() {
    this.db.close();
  }
}
