/**
 * Gauges for the two stores that trail the engine: the state file's group
 * commits and the task-history queue. Fed by plain readers so /metrics stays
 * independent of how the stores are built.
 * @module
 */
import type { Metrics } from "./metrics.ts";

export interface PersistenceReaders {
  /** The state writer's counters; null for an in-memory state. */
  state?: () => { commits: number; lastCommitMs: number; failedCommits: number; checkpoints: number; lastCheckpointMs: number } | null;
  /** History events received and not yet handed to the database writer. */
  historyQueue?: () => number;
}

export function registerPersistenceGauges(metrics: Metrics, readers: PersistenceReaders): void {
  const { state, historyQueue } = readers;
  if (state) {
    metrics.registerGauge("luigid_state_commits", "group commits written to the state file since start", () => state()?.commits ?? 0);
    metrics.registerGauge("luigid_state_last_commit_seconds", "wall time of the last state-file commit", () => (state()?.lastCommitMs ?? 0) / 1000);
    metrics.registerGauge("luigid_state_failed_commits", "state-file commits that failed since start", () => state()?.failedCommits ?? 0);
    metrics.registerGauge("luigid_state_checkpoints", "WAL checkpoints of the state file since start", () => state()?.checkpoints ?? 0);
    metrics.registerGauge("luigid_state_last_checkpoint_seconds", "wall time of the last WAL checkpoint, which requests in flight wait out", () => (state()?.lastCheckpointMs ?? 0) / 1000);
  }
  if (historyQueue) metrics.registerGauge("luigid_history_queue_depth", "task-history events waiting to be written", historyQueue);
}
