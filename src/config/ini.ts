/**
 * INI files read the way Luigi's Python ConfigParser reads them (server.md
 * §2.2), which the `ini` package does not do: `=` or `:` delimiters, keys kept
 * case-sensitive, full-line `#`/`;` comments only (no inline comments, quotes
 * kept), indented continuation lines, `[DEFAULT]` behind every section,
 * duplicate sections or keys within one file an error, and interpolation
 * (`%(name)s`, `%%`, `${VAR}`) applied when a value is read.
 * @module
 */
import { ConfigError } from "./errors.ts";

export const DEFAULT_SECTION = "DEFAULT";

/** One option as written: its raw (uninterpolated) text and where it came from. */
export interface IniEntry {
  raw: string;
  file: string;
  line: number;
}

/** Sections (in file order) of option maps (in file order). `DEFAULT` is an ordinary key here. */
export type IniSections = Map<string, Map<string, IniEntry>>;

const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;

/** Parses one file's text; throws ConfigError naming the file and line. */
export function parseIni(text: string, file: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, IniEntry> | null = null;
  let currentName = "";
  // The option whose value indented lines continue, with the indent of its key line.
  let open: { entry: IniEntry; indent: number; lines: string[]; blanks: number } | null = null;
  const close = () => {
    if (open) open.entry.raw = open.lines.join("\n").trimEnd();
    open = null;
  };

  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const lineNo = i + 1;
    const stripped = line.trim();
    if (stripped === "") {
      // A blank line may sit inside a multi-line value (ConfigParser's empty_lines_in_values).
      if (open) open.blanks++;
      continue;
    }
    if (stripped.startsWith("#") || stripped.startsWith(";")) continue;
    const indent = line.length - line.trimStart().length;
    if (open && indent > open.indent) {
      for (; open.blanks > 0; open.blanks--) open.lines.push("");
      open.lines.push(stripped);
      continue;
    }
    close();
    const header = SECTION.exec(stripped);
    if (header) {
      currentName = header[1] as string;
      if (sections.has(currentName)) throw new ConfigError(`${file}, line ${lineNo}: section [${currentName}] appears twice`);
      current = new Map();
      sections.set(currentName, current);
      continue;
    }
    if (current === null) throw new ConfigError(`${file}, line ${lineNo}: text before the first [section] header: ${JSON.stringify(stripped)}`);
    const option = OPTION.exec(stripped);
    if (!option || option[1] === "") throw new ConfigError(`${file}, line ${lineNo}: expected "key = value" in [${currentName}], got ${JSON.stringify(stripped)}`);
    const key = option[1] as string;
    if (current.has(key)) throw new ConfigError(`${file}, line ${lineNo}: option ${key} appears twice in [${currentName}]`);
    const entry: IniEntry = { raw: "", file, line: lineNo };
    current.set(key, entry);
    open = { entry, indent, lines: [option[3] as string], blanks: 0 };
  }
  close();
  return sections;
}

/** Later files override earlier ones key by key (ConfigParser.read of several files). */
export function mergeIni(into: IniSections, from: IniSections): void {
  for (const [name, options] of from) {
    let target = into.get(name);
    if (!target) {
      target = new Map();
      into.set(name, target);
    }
    for (const [key, entry] of options) target.set(key, entry);
  }
}

const MAX_DEPTH = 10;
// At least one character, as Luigi's pattern: `${}` stays literal text.
const ENV_REF = /\$\{([^}]+)\}/g;

/** An interpolation failure; the caller knows the option and adds it to the message. */
export class InterpolationError extends Error {}

/** The entry for `key` in `section`, falling back to `[DEFAULT]`; a missing section has no options. */
export function findEntry(sections: IniSections, section: string, key: string): IniEntry | undefined {
  const options = sections.get(section);
  if (!options) return undefined;
  return options.get(key) ?? (section === DEFAULT_SECTION ? undefined : sections.get(DEFAULT_SECTION)?.get(key));
}

/**
 * ConfigParser's BasicInterpolation (`%(name)s` from the same section or
 * DEFAULT, `%%`, any other `%` an error) followed by environment
 * interpolation (`${VAR}`, unset an error), as Luigi combines them.
 */
export function interpolate(sections: IniSections, section: string, raw: string, env: Record<string, string | undefined>): string {
  const basic = interpolateBasic(sections, section, raw, 1);
  return basic.replace(ENV_REF, (_, name: string) => {
    const value = env[name];
    if (value === undefined) throw new InterpolationError(`environment variable ${name} is not set`);
    return value;
  });
}

function interpolateBasic(sections: IniSections, section: string, raw: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new InterpolationError(`%(…)s references nest deeper than ${MAX_DEPTH} (a reference loop?)`);
  let out = "";
  let i = 0;
  for (;;) {
    const p = raw.indexOf("%", i);
    if (p < 0) return out + raw.slice(i);
    out += raw.slice(i, p);
    const next = raw[p + 1];
    if (next === "%") {
      out += "%";
      i = p + 2;
      continue;
    }
    if (next === "(") {
      const end = raw.indexOf(")s", p + 2);
      if (end < 0) throw new InterpolationError(`bad interpolation syntax at ${JSON.stringify(raw.slice(p))}: expected %(name)s`);
      const name = raw.slice(p + 2, end);
      const ref = findEntry(sections, section, name);
      if (!ref) throw new InterpolationError(`%(${name})s refers to an option that does not exist in [${section}] or [DEFAULT]`);
      out += interpolateBasic(sections, section, ref.raw, depth + 1);
      i = end + 2;
      continue;
    }
    throw new InterpolationError(`a lone '%' must be written '%%' (at ${JSON.stringify(raw.slice(p, p + 10))})`);
  }
}
