/**
 * The scheduler's data model (rpc.md §2). Plain data only: the engine mutates
 * these records, the store serialises them, the UI and metrics read them.
 * @module
 */

/** Epoch seconds with a fraction: the unit Luigi puts on the wire. */
export type Seconds = number;

/** Luigi's status strings. Clients may send others; they are stored as given (rpc.md §2.1). */
export const STATUSES = ["PENDING", "RUNNING", "BATCH_RUNNING", "DONE", "FAILED", "DISABLED", "UNKNOWN"] as const;
export type KnownStatus = (typeof STATUSES)[number];
export type TaskStatus = KnownStatus | (string & {});

export const UPSTREAM_STATUSES = ["", "UPSTREAM_RUNNING", "UPSTREAM_MISSING_INPUT", "UPSTREAM_FAILED", "UPSTREAM_DISABLED"] as const;
export type UpstreamStatus = (typeof UPSTREAM_STATUSES)[number];

export interface RetryPolicy {
  retryCount: number;
  disableHardTimeout: number;
  disableWindow: number;
}

/** One task (rpc.md §2.5). Field names are camelCase versions of Luigi's. */
export interface TaskRecord {
  id: string;
  status: TaskStatus;
  deps: Set<string>;
  stakeholders: Set<string>;
  /** Insertion-ordered; re-adding does not move an id. */
  workers: Set<string>;
  time: Seconds;
  updated: Seconds;
  retry: Seconds | null;
  remove: Seconds | null;
  workerRunning: string | null;
  timeRunning: Seconds | null;
  /** Absent until first set; serialised as null. */
  resourcesRunning: Record<string, number> | null;
  expl: string | null;
  priority: number;
  resources: Record<string, number>;
  family: string;
  module: string | null;
  params: Record<string, unknown>;
  paramVisibilities: Record<string, number>;
  acceptsMessages: boolean;
  retryPolicy: RetryPolicy;
  failures: Seconds[];
  firstFailureTime: Seconds | null;
  trackingUrl: string | null;
  statusMessage: string | null;
  /** Whatever task code passed to set_progress_percentage (Luigi stores any JSON value); null when unset. */
  progressPercentage: unknown;
  schedulerMessageResponses: Record<string, unknown>;
  schedulerDisableTime: Seconds | null;
  runnable: boolean;
  batchable: boolean;
  batchId: string | null;
  /** Owners sent with the last add_task (used for e-mails only). */
  owners: string[];
}

export interface RpcMessage {
  name: string;
  kwargs: Record<string, unknown>;
}

/** One worker (rpc.md §2.6). */
export interface WorkerRecord {
  id: string;
  reference: { host: string | null } | null;
  lastActive: Seconds;
  lastGetWork: Seconds | null;
  started: Seconds;
  info: Record<string, unknown>;
  disabled: boolean;
  rpcMessages: RpcMessage[];
}

/** worker id -> family -> registration (rpc.md §2.7). maxBatchSize may be Infinity. */
export interface BatcherEntry {
  batchedArgs: string[];
  maxBatchSize: number;
}
export type TaskBatchers = Map<string, Map<string, BatcherEntry>>;

/** Everything the scheduler settings decide (server.md §2.5); the engine never reads files. */
export interface EngineConfig {
  retryDelay: number;
  removeDelay: number;
  workerDisconnectDelay: number;
  disableWindow: number;
  retryCount: number;
  disableHardTimeout: number;
  disablePersist: number;
  maxShownTasks: number;
  maxGraphNodes: number;
  stableDoneCooldownSecs: number;
  pauseEnabled: boolean;
  sendMessages: boolean;
  pruneOnGetWork: boolean;
  recordTaskHistory: boolean;
  batchEmails: boolean;
  /** `[resources]` capacities at start-up. */
  resources: Record<string, number>;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  retryDelay: 900,
  removeDelay: 600,
  workerDisconnectDelay: 60,
  disableWindow: 3600,
  retryCount: 999999999,
  disableHardTimeout: 999999999,
  disablePersist: 86400,
  maxShownTasks: 100000,
  maxGraphNodes: 100000,
  stableDoneCooldownSecs: 10,
  pauseEnabled: true,
  sendMessages: true,
  pruneOnGetWork: false,
  recordTaskHistory: false,
  batchEmails: false,
  resources: {},
};

/** The whole engine state, for the durable store to save and restore. */
export interface EngineState {
  tasks: TaskRecord[];
  /**
   * Each task's insertion number (`Engine.taskSeq`), strictly increasing: the
   * state file's row numbers at a restore, which the engine keeps, and what
   * exportState reports. Without them a restore numbers tasks 1, 2, 3...
   */
  taskSeqs?: number[];
  workers: WorkerRecord[];
  batchers: Array<{ worker: string; family: string; entry: BatcherEntry }>;
  paused: boolean;
  /** Current capacities (config plus runtime update_resource changes). */
  resources: Record<string, number>;
}
