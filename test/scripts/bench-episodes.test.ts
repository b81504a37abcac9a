import { describe, expect, test } from "bun:test";
import { Latencies } from "../../scripts/bench/client.ts";

function calls(...spans: [start: number, ms: number][]): Latencies {
  const latencies = new Latencies();
  for (const [start, ms] of spans) latencies.record("get_work", ms, start);
  return latencies;
}

describe("the benchmark groups slow calls into episodes", () => {
  test("calls slow at the same moment are one episode; calls slow apart are separate ones", () => {
    const latencies = calls([0, 3], [0.5, 2.8], [1, 4], [10, 0.4], [50, 2.5], [100, 0.3]);
    expect(latencies.slowEpisodes(2)).toEqual([3, 1]);
  });

  test("a call that starts right after an episode ends joins it; one that starts later does not", () => {
    expect(calls([0, 3], [3.5, 2.5]).slowEpisodes(2)).toEqual([2]);
    expect(calls([0, 3], [4.5, 2.5]).slowEpisodes(2)).toEqual([1, 1]);
  });

  test("no call over the line, no episode; calls without a start time are left out", () => {
    expect(calls([0, 1], [1, 1.9]).slowEpisodes(2)).toEqual([]);
    const latencies = new Latencies();
    latencies.record("ping", 5);
    expect(latencies.slowEpisodes(2)).toEqual([]);
  });

  test("episodes survive the trip from the rounds driver", () => {
    const sent = calls([0, 3], [1, 3], [20, 3]);
    const received = new Latencies();
    received.merge(JSON.parse(JSON.stringify(sent)));
    expect(received.slowEpisodes(2)).toEqual([2, 1]);
    expect(received.p99("get_work")).toBe(3);
  });
});
