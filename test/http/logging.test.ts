/** The daemon's log: Luigi's line format, the file sink, daily rotation keeping 7. */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createLogger, formatLine } from "../../src/lib/log.ts";
import { logFileSink, rotatingLogFileSink } from "../../src/server/logging.ts";
import { StartupError } from "../../src/server/startup-error.ts";
import { tempDir } from "../support/temp.ts";

describe("line format", () => {
  test("asctime with a comma before milliseconds, logger[pid], level", () => {
    const line = formatLine(new Date(2026, 10, 21, 12, 36, 1, 51), "luigi.server", 22045, "INFO", "Scheduler starting up");
    expect(line).toBe("2026-11-21 12:36:01,051 luigi.server[22045] INFO: Scheduler starting up");
  });

  test("levels below the threshold are dropped; an error's stack follows on the next lines", () => {
    const lines: string[] = [];
    const log = createLogger("luigi.server", { sink: (l) => lines.push(l), pid: 7, now: () => new Date(2026, 0, 2, 3, 4, 5, 6) });
    log.debug("hidden");
    log.child("luigi.scheduler").error("boom", new Error("why"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith("2026-01-02 03:04:05,006 luigi.scheduler[7] ERROR: boom\nError: why\n    at ");
  });
});

describe("file sinks", () => {
  test("--logdir must exist in the foreground", () => {
    expect(() => logFileSink("/nonexistent/luigid-logs")).toThrow(StartupError);
  });

  test("lines are appended to luigi-server.log after the next tick, and on close", async () => {
    using dir = tempDir();
    writeFileSync(dir.join("luigi-server.log"), "old\n");
    const sink = logFileSink(dir.path);
    sink.sink("one");
    sink.sink("two");
    await Bun.sleep(5);
    expect(readFileSync(dir.join("luigi-server.log"), "utf8")).toBe("old\none\ntwo\n");
    sink.sink("three");
    sink.close();
    expect(readFileSync(dir.join("luigi-server.log"), "utf8")).toBe("old\none\ntwo\nthree\n");
  });

  test("rotation renames to luigi-server.log.<date the period began> and keeps the newest 7", () => {
    using dir = tempDir();
    let day = 1;
    const sink = rotatingLogFileSink(dir.path, { now: () => new Date(2026, 0, day, 12), intervalMs: 3_600_000 });
    for (let d = 1; d <= 10; d++) {
      sink.sink(`day ${d}`);
      day = d + 1; // the period ends when the next one begins
      sink.rotate();
    }
    sink.sink("current");
    sink.close();
    const names = readdirSync(dir.path).sort();
    expect(names).toEqual(["luigi-server.log", ...[4, 5, 6, 7, 8, 9, 10].map((d) => `luigi-server.log.2026-01-${String(d).padStart(2, "0")}`)]);
    expect(readFileSync(dir.join("luigi-server.log.2026-01-10"), "utf8")).toBe("day 10\n");
    expect(readFileSync(dir.join("luigi-server.log"), "utf8")).toBe("current\n");
  });
});
