/** Entry point of the compiled binary: hands argv to the CLI. */
import { runCli } from "./cli/cli.ts";

await runCli(process.argv.slice(2));
