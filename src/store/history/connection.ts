/**
 * Turns `[task_history] db_connection` into a bun:sqlite database. Luigi takes
 * any SQLAlchemy URL; we accept SQLAlchemy's SQLite spellings only and refuse
 * everything else at startup, so a misconfigured daemon never runs silently
 * without the history its operator asked for (server.md §2.6).
 * @module
 */
import { Database } from "bun:sqlite";
import { resolve } from "node:path";

/** Where the history lives: a file path (absolute) or process memory. */
export type HistoryLocation = { kind: "file"; path: string } | { kind: "memory" };

/** Thrown for a db_connection we cannot open; the server prints the message and exits 1. */
export class HistoryConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HistoryConfigError";
  }
}

/**
 * Parses SQLAlchemy's SQLite URL forms: `sqlite:////abs.db` (absolute),
 * `sqlite:///rel.db` (relative to `cwd`), `sqlite://` and `sqlite:///:memory:`
 * (memory). A query string (`?timeout=…`, driver options) is dropped: bun:sqlite
 * has its own, and loading the config warns about it.
 */
export function parseDbConnection(url: string, cwd: string = process.cwd()): HistoryLocation {
  const trimmed = url.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(trimmed);
  if (!scheme) {
    throw new HistoryConfigError(`[task_history] db_connection ${JSON.stringify(url)} is not a database URL; use sqlite:////absolute/path.db`);
  }
  const dialect = scheme[1]!.toLowerCase();
  if (dialect !== "sqlite" && dialect !== "sqlite+pysqlite") {
    throw new HistoryConfigError(
      `[task_history] db_connection uses ${JSON.stringify(dialect)}, but luigid stores task history in SQLite only; use sqlite:////absolute/path.db`,
    );
  }
  const rest = trimmed.slice(scheme[0].length).replace(/\?.*$/, "");
  if (rest === "" || rest === "/" || rest === "/:memory:") return { kind: "memory" };
  if (!rest.startsWith("/")) {
    throw new HistoryConfigError(`[task_history] db_connection ${JSON.stringify(url)}: SQLite URLs have no host; write sqlite:///relative.db or sqlite:////absolute.db`);
  }
  const path = rest.slice(1);
  return { kind: "file", path: path.startsWith("/") ? path : resolve(cwd, path) };
}

/** Opens (creating when missing, as SQLAlchemy does) the database; the parent directory must exist. */
export function openDatabase(location: HistoryLocation): Database {
  if (location.kind === "memory") return new Database(":memory:", { strict: true });
  try {
    const db = new Database(location.path, { create: true, readwrite: true, strict: true });
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA busy_timeout = 5000");
    return db;
  } catch (error) {
    throw new HistoryConfigError(`cannot open task history database ${location.path}: ${(error as Error).message}`, { cause: error });
  }
}
