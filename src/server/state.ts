/**
 * Attaches the durable state store (src/store/state) at startup: open the
 * file before anything listens, put what it held back into the engine, then
 * let the store follow every change. A file luigid must not use stops the
 * start with one line naming it (exit 1).
 * @module
 */
import type { Config } from "../config/types.ts";
import type { Engine } from "../engine/engine.ts";
import { DuplicateTaskError } from "../engine/task-table.ts";
import type { Logger } from "../lib/log.ts";
import type { SchedulerService } from "../rpc/service.ts";
import { DecodeError } from "../store/state/codec.ts";
import { StateFileError, type StateStore, openStateStore, unusable } from "../store/state/store.ts";
import { StartupError } from "./startup-error.ts";

export function attachStateStore(config: Config, engine: Engine, service: SchedulerService, log: Logger): StateStore {
  let store: StateStore;
  try {
    store = openStateStore(config.statePath, { log, configResources: config.engine.resources });
  } catch (error) {
    if (error instanceof StateFileError) throw new StartupError(error.message, { cause: error });
    throw error;
  }
  try {
    if (store.restored) {
      engine.loadState(store.restored);
      store.releaseRestored();
      // Loading is not a change: the file already holds all of it.
      engine.drainChanges();
    }
  } catch (error) {
    store.close();
    // The file decoded, but holds a task twice: one line, like any corrupt file.
    if (error instanceof DuplicateTaskError) throw new StartupError(unusable(config.statePath, new DecodeError(error.message)).message, { cause: error });
    throw error;
  }
  // Added after the restore; the service closes it (final commit, checkpoint, unlock) at shutdown.
  service.addListener(store.listener);
  return store;
}
