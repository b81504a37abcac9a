/**
 * Entry point of the compiled binary: hands argv to the CLI. No top-level
 * await: `--bytecode` compiles to CommonJS, where it is a syntax error.
 */
import { runCli } from "./cli/cli.ts";

runCli(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`luigid: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
