/**
 * The task-history store as the server composes it: open the database named by
 * the config, create and upgrade Luigi's schema, record engine events, answer
 * the pages' queries, apply retention, close cleanly.
 * @module
 */
import type { Database } from "bun:sqlite";
import type { HistoryConfig } from "../../config/types.ts";
import type { Clock } from "../../lib/clock.ts";
import { HistoryConfigError, type HistoryLocation, openDatabase, parseDbConnection } from "./connection.ts";
import { HistoryQueries } from "./queries.ts";
import { HistoryRecorder, type RecorderOptions } from "./recorder.ts";
import { pruneBefore } from "./retention.ts";
import { ensureSchema } from "./schema.ts";
import { formatTs } from "./timestamp.ts";

const DAY = 86_400;
const RETENTION_INTERVAL_MS = 3_600_000;

export interface HistoryStoreOptions extends RecorderOptions {
  clock: Clock;
  /** Startup and retention notes (schema upgrades, pruned rows). */
  log?: (message: string) => void;
  /** Working directory for `sqlite:///relative.db`. */
  cwd?: string;
}

export class HistoryStore {
  readonly recorder: HistoryRecorder;
  readonly queries: HistoryQueries;
  private retentionTimer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(
    readonly db: Database,
    readonly location: HistoryLocation,
    readonly clock: Clock,
    readonly retentionDays: number | null,
    private readonly log: (message: string) => void,
    options: RecorderOptions,
  ) {
    this.recorder = new HistoryRecorder(db, options);
    this.queries = new HistoryQueries(db, () => this.recorder.writePending());
  }

  /** Applies retention now (and is called hourly when retention is set). Returns the records deleted. */
  applyRetention(): number {
    if (this.retentionDays === null || this.closed) return 0;
    this.recorder.writePending();
    const deleted = pruneBefore(this.db, formatTs(this.clock.now() - this.retentionDays * DAY));
    this.recorder.forgetRecords(deleted);
    if (deleted.size > 0) this.log(`task history retention: deleted ${deleted.size} records older than ${this.retentionDays} days`);
    return deleted.size;
  }

  /** Starts the hourly retention pass (no-op without retention). */
  startRetention(): void {
    if (this.retentionDays === null || this.retentionTimer) return;
    this.applyRetention();
    this.retentionTimer = setInterval(() => {
      try {
        this.applyRetention();
      } catch (error) {
        console.warn("task history retention failed:", error);
      }
    }, RETENTION_INTERVAL_MS);
    (this.retentionTimer as { unref?: () => void }).unref?.();
  }

  /** Writes what is queued and closes the database. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.recorder.close();
    this.closed = true;
    this.db.close();
  }
}

/**
 * Opens the history named by the config, or returns null when history is off.
 * Throws HistoryConfigError (a one-line message) when it is on but cannot be opened.
 */
export function openHistory(config: HistoryConfig, { clock, log = (m) => console.warn(m), cwd, ...recorder }: HistoryStoreOptions): HistoryStore | null {
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
  return new HistoryStore(db, location, clock, config.retentionDays, log, recorder);
}

export { HistoryConfigError } from "./connection.ts";
