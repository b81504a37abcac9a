/**
 * Which configuration files are read, in which order (server.md §2.1), and a
 * uniform view over them: `get(section, key)` gives the value as written (INI:
 * interpolated text; TOML: the native value) and where it came from.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { ConfigError } from "./errors.ts";
import { DEFAULT_SECTION, findEntry, type IniSections, InterpolationError, interpolate, mergeIni, parseIni } from "./ini.ts";

/** A value as found, with a description of its place for error messages. */
export interface FoundValue {
  value: unknown;
  /** `file: [section] key = value` */
  where: string;
}

export interface ConfigSource {
  readonly kind: "cfg" | "toml";
  /** Files read, in order (missing ones are not listed). */
  readonly files: readonly string[];
  /** The value of `[section] key`, or undefined. INI values are interpolated here. */
  get(section: string, key: string): FoundValue | undefined;
  /** Keys written in `section` itself (not inherited from DEFAULT). */
  ownKeys(section: string): string[];
  sections(): string[];
}

export interface DiscoverOptions {
  env: Record<string, string | undefined>;
  cwd: string;
  /** Where the system-wide files live; `/etc/luigi` (tests point it elsewhere). */
  etcDir?: string;
  /** Non-fatal findings (deprecated names, ignored files) are appended here. */
  warnings: string[];
}

const INI_EXTENSIONS = new Set([".cfg", ".conf", ".ini"]);

/** Reads the files Luigi reads, in Luigi's order, with the parser LUIGI_CONFIG_PARSER selects. */
export function discoverConfig({ env, cwd, etcDir = "/etc/luigi", warnings }: DiscoverOptions): ConfigSource {
  let kind: "cfg" | "toml" = "cfg";
  const chosen = env.LUIGI_CONFIG_PARSER;
  if (chosen === "toml") kind = "toml";
  else if (chosen !== undefined && chosen !== "" && !["cfg", "conf", "ini"].includes(chosen)) {
    warnings.push(`LUIGI_CONFIG_PARSER=${chosen} is not a known parser (cfg or toml): using cfg`);
  }

  const candidates =
    kind === "cfg"
      ? [join(etcDir, "client.cfg"), join(etcDir, "luigi.cfg"), resolve(cwd, "client.cfg"), resolve(cwd, "luigi.cfg")]
      : [join(etcDir, "luigi.toml"), resolve(cwd, "luigi.toml")];
  const files = candidates.filter((f) => existsSync(f));
  if (kind === "cfg" && files.some((f) => f.endsWith("client.cfg"))) {
    warnings.push("files named 'client.cfg' are deprecated in favour of 'luigi.cfg'");
  }

  const explicit = env.LUIGI_CONFIG_PATH;
  if (explicit) {
    const path = resolve(cwd, explicit);
    const ext = extname(path).toLowerCase();
    const fileKind = ext === ".toml" ? "toml" : INI_EXTENSIONS.has(ext) ? "cfg" : kind;
    if (!existsSync(path)) warnings.push(`Config file does not exist: ${explicit} (LUIGI_CONFIG_PATH)`);
    else if (fileKind !== kind) {
      // Luigi hands the file to the inactive parser, so it is never read. Say so loudly.
      warnings.push(
        `LUIGI_CONFIG_PATH=${explicit} is a ${fileKind === "toml" ? "TOML" : "INI"} file but the active parser is ${kind}: it is NOT read, as in Luigi (set LUIGI_CONFIG_PARSER=${fileKind})`,
      );
    } else files.push(path);
  }

  return kind === "cfg" ? iniSource(files, env) : tomlSource(files);
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** An INI source over files read in order, later files overriding earlier ones key by key. */
export function iniSource(files: string[], env: Record<string, string | undefined>, texts?: Map<string, string>): ConfigSource {
  const sections: IniSections = new Map();
  for (const file of files) mergeIni(sections, parseIni(texts?.get(file) ?? readText(file), file));
  return {
    kind: "cfg",
    files,
    get(section, key) {
      const entry = findEntry(sections, section, key);
      if (!entry) return undefined;
      const where = `${entry.file}: [${section}] ${key} = ${entry.raw}`;
      try {
        return { value: interpolate(sections, section, entry.raw, env), where };
      } catch (error) {
        if (error instanceof InterpolationError) throw new ConfigError(`${where}: ${error.message}`);
        throw error;
      }
    },
    ownKeys: (section) => (section === DEFAULT_SECTION ? [] : [...(sections.get(section)?.keys() ?? [])]),
    sections: () => [...sections.keys()],
  };
}

type Table = Record<string, unknown>;

/** A TOML source: later files update earlier ones section by section. */
export function tomlSource(files: string[], texts?: Map<string, string>): ConfigSource {
  const tables = new Map<string, Map<string, { value: unknown; file: string }>>();
  for (const file of files) {
    let doc: Table;
    try {
      doc = Bun.TOML.parse(texts?.get(file) ?? readText(file)) as Table;
    } catch (error) {
      throw new ConfigError(`${file}: not valid TOML: ${(error as Error).message}`, { cause: error });
    }
    for (const [name, table] of Object.entries(doc)) {
      if (table === null || typeof table !== "object" || Array.isArray(table)) {
        throw new ConfigError(`${file}: top-level key ${name} must be a [section] table`);
      }
      let target = tables.get(name);
      if (!target) {
        target = new Map();
        tables.set(name, target);
      }
      for (const [key, value] of Object.entries(table as Table)) target.set(key, { value, file });
    }
  }
  return {
    kind: "toml",
    files,
    get(section, key) {
      const found = tables.get(section)?.get(key);
      if (!found) return undefined;
      return { value: found.value, where: `${found.file}: [${section}] ${key} = ${JSON.stringify(found.value)}` };
    },
    ownKeys: (section) => [...(tables.get(section)?.keys() ?? [])],
    sections: () => [...tables.keys()],
  };
}
