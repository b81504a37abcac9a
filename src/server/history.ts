/**
 * Task history's attachment to the server (issue 5): open the database the
 * config names, feed it every engine change, serve it to the /history pages,
 * close it last. A database that cannot be opened is a one-line startup error.
 * @module
 */
import type { AppContext } from "../http/context.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/log.ts";
import type { SchedulerService } from "../rpc/service.ts";
import { HistoryConfigError, openHistory } from "../store/history/store.ts";
import { StartupError } from "./startup-error.ts";

/** Attaches history when enabled; returns its closer (null when history is off). */
export function attachHistory(service: SchedulerService, context: AppContext, clock: Clock, log: Logger): (() => void) | null {
  const historyLog = log.child("luigi-interface");
  let store;
  try {
    store = openHistory(context.config.history, {
      clock,
      log: (message) => historyLog.warning(message),
      warn: (message, error) => historyLog.log("WARNING", message, error),
    });
  } catch (error) {
    if (error instanceof HistoryConfigError) throw new StartupError(error.message, { cause: error });
    throw error;
  }
  if (!store) return null;
  service.addListener(store.recorder);
  context.history = store;
  store.startRetention();
  const where = store.location.kind === "file" ? store.location.path : "memory (lost at exit)";
  const retention = store.retentionDays === null ? "kept forever" : `kept ${store.retentionDays} days`;
  log.info(`Task history: recording to ${where} on ${store.writer}, ${retention}`);
  return () => store.close();
}
