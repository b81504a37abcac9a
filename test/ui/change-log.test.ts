/**
 * The visualiser's change log: which tasks changed between two index builds,
 * each once, and "rebuild everything" once too many changed to track.
 */
import { describe, expect, test } from "bun:test";
import type { ChangeSet } from "../../src/engine/events.ts";
import { TaskChangeLog } from "../../src/http/ui/change-log.ts";

const changeOf = (ids: string[], meta = false): ChangeSet => ({ tasks: new Set(ids), deletedTaskSeqs: [], workers: new Set(), meta });
const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `T_${from + i}`);

describe("TaskChangeLog", () => {
  test("reports each changed task once, across many changes, and starts afresh after a drain", () => {
    const log = new TaskChangeLog();
    // Enough changes to fill several of the log's chunks, every id changed three times.
    for (let round = 0; round < 3; round++) for (let i = 0; i < 3000; i += 100) log.onChange([], changeOf(ids(i, 100)));
    const drained = log.drain();
    expect(drained === null ? null : [...drained].sort()).toEqual(ids(0, 3000).sort());
    expect(log.drain()).toEqual(new Set());
    log.onChange([], changeOf(["A", "B"]));
    expect(log.drain()).toEqual(new Set(["A", "B"]));
  });

  test("the epoch moves on task and meta changes, not on worker-only ones", () => {
    const log = new TaskChangeLog();
    const start = log.current();
    log.onChange([], { tasks: new Set(), deletedTaskSeqs: [], workers: new Set(["W1"]), meta: false });
    expect(log.current()).toBe(start);
    log.onChange([], changeOf([], true));
    expect(log.current()).toBe(start + 1);
    log.onChange([], changeOf(["A"]));
    expect(log.current()).toBe(start + 2);
    expect(log.drain()).toEqual(new Set(["A"]));
  });

  test("past 200,000 changes between two drains it reports null (rebuild all), then tracks again", () => {
    const log = new TaskChangeLog();
    for (let i = 0; i < 200_000; i += 1000) log.onChange([], changeOf(ids(i, 1000)));
    expect(log.drain()?.size).toBe(200_000);
    for (let i = 0; i <= 200_000; i += 1000) log.onChange([], changeOf(ids(i, 1000)));
    expect(log.drain()).toBeNull();
    log.onChange([], changeOf(["A"]));
    expect(log.drain()).toEqual(new Set(["A"]));
  });
});
