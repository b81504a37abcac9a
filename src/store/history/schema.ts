/**
 * Luigi's task-history schema, byte for byte what SQLAlchemy creates for
 * luigi/db_task_history.py in SQLite (server.md §4.2), so a database is
 * interchangeable between Luigi's luigid and ours. Created where missing,
 * then upgraded the way Luigi upgrades old files (§4.3).
 * @module
 */
import type { Database } from "bun:sqlite";

/** Each table with the indexes SQLAlchemy creates alongside it (and only then: create_all never adds an index to an existing table). */
const TABLES: Array<{ name: string; ddl: string[] }> = [
  {
    name: "tasks",
    ddl: [
      `CREATE TABLE tasks (
    id INTEGER NOT NULL,
    task_id VARCHAR(200),
    name VARCHAR(128),
    host VARCHAR(128),
    PRIMARY KEY (id)
)`,
      `CREATE INDEX ix_tasks_task_id ON tasks (task_id)`,
      `CREATE INDEX ix_tasks_name ON tasks (name)`,
    ],
  },
  {
    name: "task_parameters",
    ddl: [
      `CREATE TABLE task_parameters (
    task_id INTEGER NOT NULL,
    name VARCHAR(128) NOT NULL,
    value TEXT,
    PRIMARY KEY (task_id, name),
    FOREIGN KEY(task_id) REFERENCES tasks (id)
)`,
    ],
  },
  {
    name: "task_events",
    ddl: [
      `CREATE TABLE task_events (
    id INTEGER NOT NULL,
    task_id INTEGER,
    event_name VARCHAR(20),
    ts TIMESTAMP NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(task_id) REFERENCES tasks (id)
)`,
      `CREATE INDEX ix_task_events_ts ON task_events (ts)`,
      `CREATE INDEX ix_task_events_task_id ON task_events (task_id)`,
    ],
  },
];

interface ColumnInfo {
  name: string;
  type: string;
}

/**
 * Creates what is missing and applies Luigi's upgrades. Returns the warnings
 * Luigi would log, for the caller to log (this module does no I/O but SQL).
 */
export function ensureSchema(db: Database): string[] {
  const warnings: string[] = [];
  db.transaction(() => {
    for (const table of TABLES) {
      if (columns(db, table.name).length === 0) for (const statement of table.ddl) db.exec(statement);
    }
    if (!columns(db, "tasks").some((c) => c.name === "task_id")) {
      warnings.push("Upgrading DbTaskHistory schema: Adding tasks.task_id");
      db.exec("ALTER TABLE tasks ADD COLUMN task_id VARCHAR(200)");
      db.exec("CREATE INDEX ix_task_id ON tasks (task_id)");
    }
  })();
  const value = columns(db, "task_parameters").find((c) => c.name === "value");
  if (value && value.type !== "TEXT") {
    warnings.push("SQLite can not change column types. Please use a new database to pickup column type changes.");
  }
  return warnings;
}

function columns(db: Database, table: string): ColumnInfo[] {
  return db.query<ColumnInfo, []>(`PRAGMA table_info(${table})`).all();
}
