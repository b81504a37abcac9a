/**
 * The collection after a burst (src/server/quiet-gc.ts), period by period:
 * it runs once the calls have slowed for long enough and memory has grown,
 * and not while the scheduler is busy or nothing grew.
 */
import { describe, expect, test } from "bun:test";
import { QuietCollector } from "../../src/server/quiet-gc.ts";

const MB = 1024 * 1024;

function collector(startRss = 100 * MB) {
  const state = { rss: startRss, collections: 0 };
  const c = new QuietCollector({
    quietCalls: 20,
    quietPeriods: 2,
    growthBytes: 32 * MB,
    rss: () => state.rss,
    collect: () => {
      state.collections++;
      state.rss -= 40 * MB; // what the collection gave back
    },
  });
  const period = (calls: number) => {
    for (let i = 0; i < calls; i++) c.onCall();
    return c.tick();
  };
  return { state, period };
}

describe("collection when the scheduler goes quiet", () => {
  test("after a burst that grew memory, the second quiet period collects, once", () => {
    const { state, period } = collector();
    expect(period(5000)).toBe(false);
    state.rss += 150 * MB;
    expect(period(8000)).toBe(false); // busy
    expect(period(3)).toBe(false); // one quiet period: not yet
    expect(period(3)).toBe(true);
    expect(state.collections).toBe(1);
    // Still quiet, but nothing grew since: no second collection.
    for (let i = 0; i < 10; i++) expect(period(1)).toBe(false);
    expect(state.collections).toBe(1);
  });

  test("a busy scheduler is never interrupted, however much memory grew", () => {
    const { state, period } = collector();
    for (let i = 0; i < 20; i++) {
      state.rss += 50 * MB;
      expect(period(21)).toBe(false);
    }
    expect(state.collections).toBe(0);
  });

  test("quiet periods without growth collect nothing (pings from idle workers)", () => {
    const { state, period } = collector();
    state.rss += 10 * MB;
    for (let i = 0; i < 30; i++) expect(period(8)).toBe(false);
    expect(state.collections).toBe(0);
  });

  test("a large heap must grow by a tenth of itself, not just 32 MB, before a collection", () => {
    const { state, period } = collector(1300 * MB);
    state.rss += 100 * MB;
    for (let i = 0; i < 5; i++) expect(period(1)).toBe(false);
    state.rss += 40 * MB;
    expect(period(1)).toBe(true);
  });

  test("a busy period in between starts the count of quiet periods again", () => {
    const { state, period } = collector();
    state.rss += 100 * MB;
    expect(period(1)).toBe(false);
    expect(period(500)).toBe(false);
    expect(period(1)).toBe(false);
    expect(period(1)).toBe(true);
  });
});
