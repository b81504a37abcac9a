/**
 * `[task_history] retention` (days): deletes whole records whose latest event
 * is older than the cut-off, with their parameters and events. Luigi never
 * deletes anything; without the option neither do we.
 * @module
 */
import type { Database } from "bun:sqlite";

/**
 * Deletes records last active before `cutoff` (local timestamp text); returns
 * their ids. The record with the highest id stays: `tasks.id` is Luigi's plain
 * INTEGER PRIMARY KEY, and SQLite gives the next row MAX(id) + 1, so deleting
 * the newest record would hand its id, and every saved /history/by_id link to
 * it, to the next task. It can only be stale when nothing ran for that long.
 */
export function pruneBefore(db: Database, cutoff: string): Set<number> {
  const old = db
    .query<{ id: number }, [string]>(
      "SELECT task_id AS id FROM task_events WHERE task_id IS NOT NULL AND task_id <> COALESCE((SELECT MAX(id) FROM tasks), -1) GROUP BY task_id HAVING MAX(ts) < ?",
    )
    .all(cutoff)
    .map((r) => r.id);
  const deleted = new Set(old);
  const remove = db.transaction((chunk: number[]) => {
    const list = JSON.stringify(chunk);
    db.run("DELETE FROM task_events WHERE task_id IN (SELECT value FROM json_each(?))", [list]);
    db.run("DELETE FROM task_parameters WHERE task_id IN (SELECT value FROM json_each(?))", [list]);
    db.run("DELETE FROM tasks WHERE id IN (SELECT value FROM json_each(?))", [list]);
  });
  // Chunks keep each write transaction short, so readers and the recorder are not held up.
  for (let i = 0; i < old.length; i += 5000) remove(old.slice(i, i + 5000));
  // Events that belong to no record (never written by us) age out on their own.
  db.run("DELETE FROM task_events WHERE task_id IS NULL AND ts < ?", [cutoff]);
  return deleted;
}
