/**
 * WAL checkpoints happen outside commits (writer.ts): when the writer has been
 * idle for a while, or after enough rows. Observed through the -wal file: after
 * a checkpoint SQLite writes the next commits from the start of the file again,
 * so it stops growing; without one it grows with every commit.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStateStore, type StateStore } from "../../../src/store/state/store.ts";
import { CHECKPOINT_EVERY_COMMITS, CHECKPOINT_EVERY_ROW_TEXT, CHECKPOINT_EVERY_ROWS } from "../../../src/store/state/writer.ts";
import { FakeSource, fullTask, memoryLog } from "./fake-source.ts";

const dirs: string[] = [];
const stores: StateStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openStore(): { store: StateStore; wal: () => number } {
  const dir = mkdtempSync(join(tmpdir(), "luigid-checkpoint-"));
  dirs.push(dir);
  const path = join(dir, "state.db");
  const store = openStateStore(path, { log: memoryLog() });
  stores.push(store);
  return { store, wal: () => statSync(`${path}-wal`).size };
}

/** `commits` commits of 20 changed tasks each (well under the row and commit bounds). */
async function writeRounds(store: StateStore, source: FakeSource, round: number, commits: number): Promise<void> {
  for (let c = 0; c < commits; c++) {
    for (let i = 0; i < 20; i++) source.putTask({ ...fullTask(`T${i}`), statusMessage: `round ${round} commit ${c}` });
    store.listener.onChange([], source.drainChanges(), source);
    await store.listener.flush();
  }
}

describe("WAL checkpoints", () => {
  test("while commits keep coming (below the bounds) nothing is checkpointed: the WAL grows", async () => {
    const { store, wal } = openStore();
    const source = new FakeSource();
    await writeRounds(store, source, 0, 20);
    const first = wal();
    await writeRounds(store, source, 1, 20);
    expect(wal()).toBeGreaterThan(first * 1.5);
  });

  test("once the writer is idle the WAL is checkpointed, so the next commits reuse it instead of growing it", async () => {
    const { store, wal } = openStore();
    const source = new FakeSource();
    await writeRounds(store, source, 0, 20);
    const first = wal();
    await Bun.sleep(600); // > two idle periods (200 ms)
    await writeRounds(store, source, 1, 20);
    expect(wal()).toBeLessThanOrEqual(first * 1.1);
  });

  test("under sustained load a checkpoint follows CHECKPOINT_EVERY_ROWS rows, so the WAL stays bounded", async () => {
    const { store, wal } = openStore();
    const source = new FakeSource();
    const sizes: number[] = [];
    // Rounds of 40 commits of 20 rows (800 rows, well under the commit bound): the checkpoint is due
    // after `due` rounds and runs once the WAL has been fsynced off the thread, a few commits later.
    const due = Math.ceil(CHECKPOINT_EVERY_ROWS / 800);
    expect(due * 40).toBeLessThan(CHECKPOINT_EVERY_COMMITS);
    // Two rounds more once it has run (the WAL's fsync takes longer as the WAL grows).
    let after = 0;
    for (let round = 0; round < 2 * due && after < 2; round++) {
      await writeRounds(store, source, round, 40);
      sizes.push(wal());
      if ((store.stats()?.checkpoints ?? 0) > 0) after++;
    }
    expect(store.stats()?.checkpoints).toBeGreaterThanOrEqual(1);
    // Past the checkpoint the file stops growing: the last rounds fit in what the first ones used.
    expect(sizes.at(-1)!).toBe(sizes.at(-2)!);
    // The checkpoint waits for the WAL's fsync on the I/O pool, which a busy machine delays by a few
    // rounds (seen: 4 in a CI run beside two browsers); without any checkpoint it would reach 2 × due.
    expect(sizes.at(-1)!).toBeLessThan(sizes[0]! * (due + 10));
    // Before it, the WAL grew with every round.
    expect(sizes[due - 1]!).toBeGreaterThan(sizes[0]! * (due / 2));
  });

  test("big rows: a checkpoint follows CHECKPOINT_EVERY_ROW_TEXT of row text, long before the row and commit bounds", async () => {
    const { store, wal } = openStore();
    const source = new FakeSource();
    const big = 256 * 1024;
    // One 256 KB row a commit, for 2.5 times the text bound: without that bound no checkpoint
    // would come before 4,000 commits, and the WAL would hold all ~80 MB.
    const commits = Math.ceil((2.5 * CHECKPOINT_EVERY_ROW_TEXT) / big);
    expect(commits).toBeLessThan(Math.min(CHECKPOINT_EVERY_COMMITS, CHECKPOINT_EVERY_ROWS));
    for (let c = 0; c < commits; c++) {
      source.putTask({ ...fullTask(`T${c % 50}`), statusMessage: `${c} `.padEnd(big, "x") });
      store.listener.onChange([], source.drainChanges(), source);
      await store.listener.flush();
    }
    expect(store.stats()?.checkpoints).toBeGreaterThanOrEqual(1);
    // The WAL restarts after each checkpoint; the fsync before one lets a few more commits in.
    expect(wal()).toBeLessThan(1.6 * CHECKPOINT_EVERY_ROW_TEXT);
  });
});
