/**
 * `luigid`: parse the command line, read the configuration, then serve in the
 * foreground or launch the daemon (`--background`). Exit codes: 0 served and
 * stopped cleanly (or help/version), 1 could not start, 2 bad command line.
 * @module
 */
import { loadConfig } from "../config/load.ts";
import { StartupError } from "../server/startup-error.ts";
import { type CliArgs, parseCli, UsageError, usage, VERSION } from "./args.ts";
import { isDaemonChild, launchDaemon } from "./background.ts";
import { ConfigError } from "../config/errors.ts";
import { serveForeground } from "./serve.ts";

export async function runCli(argv: readonly string[]): Promise<void> {
  let args: CliArgs;
  try {
    args = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${await usage(process.stderr.isTTY === true)}\n\nluigid: error: ${error.message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${await usage(process.stdout.isTTY === true)}\n`);
    process.exit(0);
  }
  if (args.version) {
    process.stdout.write(`luigid ${VERSION}\n`);
    process.exit(0);
  }
  try {
    const config = loadConfig({ statePath: args.statePath, loggingFromFlags: args.background || args.logdir !== null });
    if (args.background && !isDaemonChild()) {
      // The daemon logs these too, but the operator is looking at this terminal.
      for (const warning of config.warnings) process.stderr.write(`luigid: warning: ${warning}\n`);
      process.exit(await launchDaemon(args));
    }
    await serveForeground(args, config);
  } catch (error) {
    process.exit(reportStartupFailure(error));
  }
}

/** One clear line for what an operator can fix; a stack for bugs. Returns the exit code. */
export function reportStartupFailure(error: unknown): number {
  if (error instanceof StartupError || error instanceof ConfigError) {
    process.stderr.write(`luigid: ${error.message}\n`);
  } else {
    process.stderr.write(`luigid: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  return 1;
}
