/**
 * The state file's layout, embedded in the binary. A file is ours when its
 * SQLite header carries APPLICATION_ID; its `user_version` is the schema
 * version, and MIGRATIONS bring an older file up to date at open, inside the
 * same transaction that reads it.
 *
 * Tasks and workers are one JSON document per row (see codec.ts). `seq`
 * keeps the engine's insertion order across restarts (it decides tie-breaks).
 *
 * A task's row is its `seq`, the engine's insertion number for it
 * (Engine.taskSeq), which the engine takes back from the file at a restore.
 * Since schema 2 nothing indexes the task id: a unique index on it put every
 * new task's entry on a random page of the index, so a group commit of 8 new
 * tasks wrote ~8 more pages (148 µs a commit against 54 µs without, at
 * 100,000 rows), on the path of every add_task. Nor do task rows keep a
 * creation time: a task deleted and re-created gets a new number, hence a
 * new row at the end.
 *
 * Workers are few and stay keyed by id; their `born` (creation time) tells a
 * worker that was deleted and re-created between two commits from one that
 * was updated, so the re-created one moves to the end as it did in the engine.
 * @module
 */

/** "LGID": written at offset 68 of the file header. */
export const APPLICATION_ID = 0x4c474944;

export interface Migration {
  /** The schema version this migration produces. */
  version: number;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE tasks (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        born REAL NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE TABLE workers (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        born REAL NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE tasks_by_seq (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      INSERT INTO tasks_by_seq (seq, id, doc) SELECT seq, id, doc FROM tasks ORDER BY seq;
      DROP TABLE tasks;
      ALTER TABLE tasks_by_seq RENAME TO tasks;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * The `id` column's text for a task or worker id. SQLite text is UTF-8, so an
 * id holding a lone UTF-16 surrogate (Python's surrogateescape gives them to
 * undecodable file names) would be stored with U+FFFD and no longer match its
 * document, and two such ids could land on one row. Those ids are keyed by
 * their JSON text instead, behind a U+FFFD that a well-formed id of that exact
 * shape would need to collide. Every other id is its own key, as in files
 * written before.
 */
export function rowKey(id: string): string {
  return id.isWellFormed() ? id : `\uFFFD${JSON.stringify(id)}`;
}

/** Keys of the meta table. */
export const META = {
  paused: "paused",
  /** Current capacities, runtime update_resource changes included. */
  resources: "resources",
  /** The `[resources]` config the last run started with, to tell operator edits from runtime changes. */
  configResources: "config_resources",
  batchers: "batchers",
} as const;
