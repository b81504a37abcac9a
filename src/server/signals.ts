/**
 * SIGTERM, SIGINT and SIGQUIT stop the scheduler cleanly and exit 0
 * (server.md §1.6). The shutdown runs once however many signals arrive.
 * @module
 */
import type { Logger } from "../lib/log.ts";

export const SHUTDOWN_SIGNALS = ["SIGTERM", "SIGINT", "SIGQUIT"] as const;

/** Installs the handlers; `shutdown` runs at most once, then the process exits 0 (1 if shutdown threw). */
export function installSignalHandlers(shutdown: (signal: string) => Promise<void>, log: Logger): void {
  let running = false;
  for (const signal of SHUTDOWN_SIGNALS) {
    process.on(signal, () => {
      if (running) {
        log.info(`Received ${signal} while already shutting down`);
        return;
      }
      running = true;
      shutdown(signal).then(
        () => process.exit(0),
        (error) => {
          log.error("Error during shutdown", error);
          process.exit(1);
        },
      );
    });
  }
}
