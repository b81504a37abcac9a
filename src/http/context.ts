/**
 * What every HTTP area gets: the scheduler service, the configuration, and
 * the optional parts that exist only when configured. Areas add their own
 * optional members here rather than reaching into src/server.
 * @module
 */
import type { Config } from "../config/types.ts";
import type { Logger } from "../lib/log.ts";
import type { Ops } from "../ops/ops.ts";
import type { SchedulerService } from "../rpc/service.ts";
import type { HistoryStore } from "../store/history/store.ts";

export interface Readiness {
  /** State restored and every listener up: /readyz answers 200. */
  ready: boolean;
}

export interface AppContext {
  service: SchedulerService;
  config: Config;
  readiness: Readiness;
  /** The server's log (Luigi's format); unexpected errors go here. Defaults to stderr. */
  log?: Logger;
  /** Metrics, auth and e-mail (src/ops), installed by startServer; mountOps makes its own when absent. */
  ops?: Ops;
  /** Task history (src/store/history), when enabled; absent or null means off and the pages answer 404. */
  history?: HistoryStore | null;
}
