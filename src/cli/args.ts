/**
 * Luigi's command line (server.md §1.1), checked strictly the way argparse
 * does: `--flag value` and `--flag=value`, unambiguous prefixes (`--back`),
 * the last of a repeated flag wins, and anything else is a usage error
 * (exit 2). citty defines the flags and renders the help; this module only
 * adds the strictness citty lacks.
 * @module
 */
import { type ArgsDef, defineCommand, parseArgs, renderUsage } from "citty";

declare const LUIGID_VERSION: string | undefined;

/** Defined by scripts/build.ts in the compiled binary. */
export const VERSION: string = typeof LUIGID_VERSION === "string" ? LUIGID_VERSION : "0.0.0-dev";

export const FLAGS = {
  background: { type: "boolean", description: "Run in background mode (detached; logs in --logdir)" },
  pidfile: { type: "string", valueHint: "PIDFILE", description: "Write pidfile (with --background)" },
  logdir: { type: "string", valueHint: "LOGDIR", description: "log directory (background default: /var/log/luigi)" },
  "state-path": { type: "string", valueHint: "STATE_PATH", description: "State file (SQLite; default ./luigid-state.db; :memory: for none)" },
  address: { type: "string", valueHint: "ADDRESS", description: "Listening interface (default: all, IPv4 and IPv6)" },
  "unix-socket": { type: "string", valueHint: "UNIX_SOCKET", description: "Unix socket path (instead of TCP)" },
  port: { type: "string", valueHint: "PORT", default: "8082", description: "Listening port" },
  help: { type: "boolean", alias: "h", description: "show this help message and exit" },
  version: { type: "boolean", description: "show the version and exit" },
} as const satisfies ArgsDef;

export const command = defineCommand({
  meta: { name: "luigid", version: VERSION, description: "Central luigi server" },
  args: FLAGS,
});

export interface CliArgs {
  background: boolean;
  pidfile: string | null;
  logdir: string | null;
  statePath: string | null;
  address: string | null;
  unixSocket: string | null;
  port: string;
  /** Whether --port was on the command line (it is ignored with --unix-socket, which the log says). */
  portGiven: boolean;
  help: boolean;
  version: boolean;
}

/** A command line argparse would refuse: the message follows `luigid: error: `. */
export class UsageError extends Error {
  override name = "UsageError";
}

type FlagName = keyof typeof FLAGS;
const NAMES = Object.keys(FLAGS) as FlagName[];

function resolveName(given: string): FlagName {
  if ((NAMES as string[]).includes(given)) return given as FlagName;
  const matches = NAMES.filter((n) => n.startsWith(given));
  if (matches.length === 1) return matches[0] as FlagName;
  if (matches.length > 1) throw new UsageError(`ambiguous option: --${given} could match ${matches.map((m) => `--${m}`).join(", ")}`);
  throw new UsageError(`unrecognized arguments: --${given}`);
}

/** Turns argv into canonical `--name value` pairs, or throws UsageError. */
export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === "-h") {
      out.push("--help");
      continue;
    }
    if (!token.startsWith("--") || token === "--") throw new UsageError(`unrecognized arguments: ${token}`);
    const eq = token.indexOf("=");
    const name = resolveName(token.slice(2, eq < 0 ? undefined : eq));
    const takesValue = FLAGS[name].type === "string";
    if (!takesValue) {
      if (eq >= 0) throw new UsageError(`argument --${name}: ignored explicit argument '${token.slice(eq + 1)}'`);
      out.push(`--${name}`);
      continue;
    }
    let value: string;
    if (eq >= 0) value = token.slice(eq + 1);
    else {
      const next = argv[i + 1];
      // argparse: a following token that looks like an option is not a value.
      if (next === undefined || (next.startsWith("-") && !/^-\d/.test(next) && next !== "-")) throw new UsageError(`argument --${name}: expected one argument`);
      value = next;
      i++;
    }
    out.push(`--${name}=${value}`);
  }
  return out;
}

/** Parses argv strictly into CliArgs; throws UsageError. */
export function parseCli(argv: readonly string[]): CliArgs {
  const normalized = normalizeArgv(argv);
  const parsed = parseArgs(normalized, FLAGS);
  const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
  return {
    background: parsed.background === true,
    pidfile: text(parsed.pidfile),
    logdir: text(parsed.logdir),
    statePath: text(parsed["state-path"]),
    address: text(parsed.address),
    unixSocket: text(parsed["unix-socket"]),
    port: text(parsed.port) ?? "8082",
    portGiven: normalized.some((a) => a.startsWith("--port=")),
    help: parsed.help === true,
    version: parsed.version === true,
  };
}

/** The help text (citty's rendering of the flags above); plain unless `color`. */
export async function usage(color = false): Promise<string> {
  const text = await renderUsage(command);
  return color ? text : text.replace(/\x1b\[[0-9;]*m/g, "");
}
