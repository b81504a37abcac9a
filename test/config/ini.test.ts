/** The INI reader against Python ConfigParser's rules (server.md §2.2). */
import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/config/errors.ts";
import { iniSource } from "../../src/config/source.ts";

const source = (text: string, env: Record<string, string | undefined> = {}) => iniSource(["luigi.cfg"], env, new Map([["luigi.cfg", text]]));
const get = (text: string, section: string, key: string, env?: Record<string, string>) => source(text, env).get(section, key)?.value;

describe("syntax", () => {
  test("= and : both split at the first delimiter; whitespace around key and value is stripped", () => {
    const cfg = "[s]\n  a = 1 = 2\nb: x:y\nc=\n";
    expect(get(cfg, "s", "a")).toBe("1 = 2");
    expect(get(cfg, "s", "b")).toBe("x:y");
    expect(get(cfg, "s", "c")).toBe("");
  });

  test("keys are case-sensitive and sections too", () => {
    const cfg = "[s]\nRetry_Delay = 5\n";
    expect(get(cfg, "s", "retry_delay")).toBeUndefined();
    expect(get(cfg, "s", "Retry_Delay")).toBe("5");
    expect(get(cfg, "S", "Retry_Delay")).toBeUndefined();
  });

  test("full-line comments only: inline ; and # stay in the value, quotes too", () => {
    const cfg = "# top\n[s]\n; comment\n  # indented comment\na = 1 ; x\nb = \"q\" # not a comment\n";
    expect(get(cfg, "s", "a")).toBe("1 ; x");
    expect(get(cfg, "s", "b")).toBe('"q" # not a comment');
  });

  test("indented lines continue a value, blank lines inside kept, trailing ones dropped", () => {
    const cfg = "[s]\nlist = [\"a\",\n    \"b\",\n\n    \"c\"]\n\nnext = 2\n";
    expect(get(cfg, "s", "list")).toBe('["a",\n"b",\n\n"c"]');
    expect(get(cfg, "s", "next")).toBe("2");
  });

  test("dotted section names stay whole", () => {
    expect(get("[a.b]\nx = 1\n", "a.b", "x")).toBe("1");
  });

  test.each([
    ["x = 1\n[s]\n", "text before the first [section] header"],
    ["[s]\njust a line\n", 'expected "key = value"'],
    ["[s]\na = 1\n[s]\nb = 2\n", "section [s] appears twice"],
    ["[s]\na = 1\na = 2\n", "option a appears twice in [s]"],
  ])("%p is a parse error naming the file and line", (text, message) => {
    expect(() => source(text)).toThrow(ConfigError);
    expect(() => source(text)).toThrow(message);
    expect(() => source(text)).toThrow("luigi.cfg, line");
  });

  test("later files override earlier ones key by key", () => {
    const texts = new Map([
      ["a.cfg", "[s]\nx = 1\ny = 1\n"],
      ["b.cfg", "[s]\ny = 2\n"],
    ]);
    const src = iniSource(["a.cfg", "b.cfg"], {}, texts);
    expect(src.get("s", "x")?.value).toBe("1");
    expect(src.get("s", "y")?.value).toBe("2");
    expect(src.get("s", "y")?.where).toStartWith("b.cfg: [s] y = 2");
  });
});

describe("DEFAULT and interpolation", () => {
  test("[DEFAULT] supplies every existing section, never a missing one", () => {
    const cfg = "[DEFAULT]\nbase = /data\n[s]\nx = 1\n";
    expect(get(cfg, "s", "base")).toBe("/data");
    expect(get(cfg, "missing", "base")).toBeUndefined();
    expect(source(cfg).ownKeys("s")).toEqual(["x"]);
  });

  test("%(name)s from the section or DEFAULT, recursively; %% is a literal %", () => {
    const cfg = "[DEFAULT]\nroot = /srv\n[s]\ndir = %(root)s/luigi\ndb = sqlite:///%(dir)s/h.db\npct = 100%%\n";
    expect(get(cfg, "s", "db")).toBe("sqlite:////srv/luigi/h.db");
    expect(get(cfg, "s", "pct")).toBe("100%");
  });

  test("${VAR} expands environment variables", () => {
    expect(get("[s]\nurl = sqlite:///${HOME_DIR}/h.db\n", "s", "url", { HOME_DIR: "/home/x" })).toBe("sqlite:////home/x/h.db");
    // Luigi's pattern needs a name: an empty reference is literal text.
    expect(get("[s]\nx = a${}b\n", "s", "x")).toBe("a${}b");
  });

  test.each([
    ["[s]\npw = a%b\n", "a lone '%' must be written '%%'"],
    ["[s]\nx = %(nope)s\n", "%(nope)s refers to an option that does not exist"],
    ["[s]\nx = %(y)s\ny = %(x)s\n", "nest deeper than 10"],
    ["[s]\nx = ${UNSET_VAR_FOR_TEST}\n", "environment variable UNSET_VAR_FOR_TEST is not set"],
  ])("%p fails when read, naming file, section, key and value", (text, message) => {
    const src = source(text);
    expect(() => src.get("s", text.includes("pw") ? "pw" : "x")).toThrow(message);
    expect(() => src.get("s", text.includes("pw") ? "pw" : "x")).toThrow(/^luigi\.cfg: \[s\] (pw|x) = /);
  });

  test("a bad value nobody reads is no error (ConfigParser interpolates on read)", () => {
    expect(source("[other]\nx = 50%\n[s]\ny = 1\n").get("s", "y")?.value).toBe("1");
  });
});
