import { describe, expect, test } from "bun:test";
import { HistoryConfigError, parseDbConnection } from "../../../src/store/history/connection.ts";

describe("db_connection URLs", () => {
  const ok: Array<[string, ReturnType<typeof parseDbConnection>]> = [
    ["sqlite:////var/lib/h.db", { kind: "file", path: "/var/lib/h.db" }],
    ["sqlite:///rel/h.db", { kind: "file", path: "/srv/luigi/rel/h.db" }],
    ["sqlite:///h.db?timeout=20", { kind: "file", path: "/srv/luigi/h.db" }],
    ["sqlite+pysqlite:////abs.db", { kind: "file", path: "/abs.db" }],
    ["SQLITE:////abs.db", { kind: "file", path: "/abs.db" }],
    ["sqlite://", { kind: "memory" }],
    ["sqlite:///:memory:", { kind: "memory" }],
  ];
  for (const [url, expected] of ok) {
    test(url, () => expect(parseDbConnection(url, "/srv/luigi")).toEqual(expected));
  }

  const bad: Array<[string, RegExp]> = [
    ["postgresql://user@db/luigi", /SQLite only/],
    ["mysql+pymysql://db/luigi", /SQLite only/],
    ["/var/lib/h.db", /not a database URL/],
    ["sqlite://host/h.db", /no host/],
  ];
  for (const [url, message] of bad) {
    test(`rejects ${url}`, () => {
      expect(() => parseDbConnection(url)).toThrow(HistoryConfigError);
      expect(() => parseDbConnection(url)).toThrow(message);
    });
  }
});
