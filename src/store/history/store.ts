/**
 * The task-history store as the server composes it: open the database named by
 * the config, create and upgrade Luigi's schema, record engine events on the
 * history thread, answer the pages' queries, apply retention, close cleanly.
 * @module
 */
import type { Database } from "bun:sqlite";
import type { HistoryConfig } from "../../config/types.ts";
import type { Clock } from "../../lib/clock.ts";
import { HistoryConfigError, type HistoryLocation, openDatabase, parseDbConnection } from "./connection.ts";
import { HistoryQueries, type QueryArgs, type QueryName, type QueryResult } from "./queries.ts";
import { HistoryRecorder, type RecorderOptions } from "./recorder.ts";
import { ensureSchema } from "./schema.ts";
import { type HistoryBackend, InlineBackend, ThreadBackend } from "./backend.ts";
import { formatTs } from "./timestamp.ts";
import { HistoryWriter } from "./writer.ts";
import { workerEntryCandidates } from "../../lib/worker-entry.ts";

const DAY = 86_400;
const RETENTION_INTERVAL_MS = 3_600_000;

export interface HistoryStoreOptions extends RecorderOptions {
  clock: Clock;
  /** Startup and retention notes (schema upgrades, pruned rows). */
  log?: (message: string) => void;
  /** Write failures (Luigi: WARNING "Error saving Task history" with the stack). */
  warn?: (message: string, error: unknown) => void;
  /** Working directory for `sqlite:///relative.db`. */
  cwd?: string;
  /** Work on a file database on the history thread (default true; in-memory databases are always inline). */
  thread?: boolean;
}

/** Worker specifiers for history-thread.ts: from source, or as the compiled binary embeds it. */
const threadCandidates = () => workerEntryCandidates("store/history/history-thread.ts", new URL("./history-thread.ts", import.meta.url));

export class HistoryStore {
  readonly recorder: HistoryRecorder;
  private retentionTimer: ReturnType<typeof setInterval> | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    /** This thread's connection: schema set-up, and all work when the backend is inline. */
    readonly db: Database,
    readonly location: HistoryLocation,
    readonly clock: Clock,
    readonly retentionDays: number | null,
    private readonly log: (message: string) => void,
    private readonly backend: HistoryBackend,
    options: RecorderOptions,
  ) {
    this.recorder = new HistoryRecorder(backend, options);
  }

  /** Where writes and reads happen ("the history thread", or "the main thread"). */
  get writer(): string {
    return this.backend.where;
  }

  /** Runs a page's query; it sees every event recorded before the call. */
  read<K extends QueryName>(name: K, ...args: QueryArgs<K>): Promise<QueryResult<K>> {
    this.recorder.handOver();
    return this.backend.query(name, args);
  }

  /** Resolves once everything recorded so far can be read. */
  sync(): Promise<void> {
    return this.recorder.sync();
  }

  /** Applies retention now (and hourly once started). Resolves to the number of records deleted. */
  async applyRetention(): Promise<number> {
    if (this.retentionDays === null || this.closing) return 0;
    const deleted = await this.recorder.prune(formatTs(this.clock.now() - this.retentionDays * DAY));
    if (deleted > 0) this.log(`task history retention: deleted ${deleted} records older than ${this.retentionDays} days`);
    return deleted;
  }

  /** Starts the hourly retention pass (no-op without retention). */
  startRetention(): void {
    if (this.retentionDays === null || this.retentionTimer) return;
    const pass = () => void this.applyRetention().catch((error) => this.log(`task history retention failed: ${(error as Error).message}`));
    pass();
    this.retentionTimer = setInterval(pass, RETENTION_INTERVAL_MS);
    (this.retentionTimer as { unref?: () => void }).unref?.();
  }

  /** Writes what is queued and closes the database. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.retentionTimer) clearInterval(this.retentionTimer);
      await this.recorder.close();
      // `true` finalizes prepared statements: the last connection to close checkpoints and removes the WAL.
      this.db.close(true);
    })();
    return this.closing;
  }
}

/**
 * Opens the history named by the config, or returns null when history is off.
 * Throws HistoryConfigError (a one-line message) when it is on but cannot be opened.
 */
export function openHistory(config: HistoryConfig, options: HistoryStoreOptions): HistoryStore | null {
  const { clock, log = (m) => console.warn(m), warn = (m, e) => console.warn(m, e), cwd, thread = true, ...recorder } = options;
  if (!config.enabled) return null;
  if (!config.dbConnection) {
    throw new HistoryConfigError("record_task_history is on but [task_history] db_connection is not set (e.g. db_connection = sqlite:////var/lib/luigi-server/history.db)");
  }
  if (config.retentionDays !== null && !(config.retentionDays > 0)) {
    throw new HistoryConfigError(`[task_history] retention must be a positive number of days, got ${config.retentionDays}`);
  }
  const location = parseDbConnection(config.dbConnection, cwd);
  const db = openDatabase(location);
  try {
    for (const warning of ensureSchema(db)) log(warning);
  } catch (error) {
    db.close();
    const where = location.kind === "file" ? location.path : ":memory:";
    throw new HistoryConfigError(`cannot use task history database ${where}: ${(error as Error).message}`, { cause: error });
  }
  // Records from before this start (earlier runs, Luigi) are history, never appended to (server.md §4.4).
  const firstOwnId = (db.query<{ next: number }, []>("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM tasks").get()?.next ?? 1) as number;
  const inline = () => new InlineBackend(new HistoryWriter(db, warn, firstOwnId), new HistoryQueries(db));
  const backend =
    location.kind === "file" && thread
      ? new ThreadBackend(location.path, firstOwnId, threadCandidates(), inline, (message, error) => warn(message, error))
      : inline();
  return new HistoryStore(db, location, clock, config.retentionDays, log, backend, recorder);
}

export { HistoryConfigError } from "./connection.ts";
