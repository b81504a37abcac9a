/**
 * The ranking of ready tasks for get_work (rpc.md §6.3): rank entries and
 * their order, ranked lists keyed by family or resource signature, and the
 * two iterators get_work walks them with — the candidate search by resource
 * signature and the lazy walk that applies greedy reservations.
 * @module
 */
import { hasKeys } from "./records.ts";
import type { Reservations } from "./greedy.ts";
import { SortedList } from "./sorted-list.ts";
import type { TaskRecord } from "./types.ts";

/** A schedulable task's place in the ranking: priority desc, time asc, then entry order. */
export interface RankEntry {
  task: TaskRecord;
  priority: number;
  time: number;
  seq: number;
  /** The task's resources as a canonical string ("" for none): tasks that compete alike. */
  signature: string;
  /** The resources object the signature was computed from (maps are replaced, not changed, while ready). */
  resources: Readonly<Record<string, number>>;
}

export function addRanked(lists: Map<string, SortedList<RankEntry>>, key: string, entry: RankEntry): void {
  let list = lists.get(key);
  if (!list) lists.set(key, (list = newRankList()));
  list.add(entry);
}

export function deleteRanked(lists: Map<string, SortedList<RankEntry>>, key: string, entry: RankEntry): void {
  const list = lists.get(key);
  if (!list) return;
  list.delete(entry);
  if (list.size === 0) lists.delete(key);
}

/** Canonical text of a resources map; equal maps, equal signatures. */
export function signatureOf(resources: Readonly<Record<string, number>>): string {
  if (!hasKeys(resources)) return "";
  return JSON.stringify(Object.entries(resources).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function compareRank(a: RankEntry, b: RankEntry): number {
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.seq - b.seq;
}

export const newRankList = (): SortedList<RankEntry> => new SortedList(compareRank);

/**
 * Walks the ready lists of the active workers (those with a slot left) and
 * the running tasks in rank order, applying each task's reservation, up to a
 * given entry. Tasks none of whose workers has a slot cannot reserve
 * anything, so their lists are never read: the walk costs what it reserves.
 */
export class RankedWalk {
  readonly visited = new Set<string>();
  private readonly streams = new Map<string, { iterator: Iterator<RankEntry>; head: RankEntry | null }>();
  private runningAt = 0;

  constructor(
    readyListOf: (worker: string) => SortedList<RankEntry> | undefined,
    private readonly reservations: Reservations,
    private readonly running: RankEntry[],
  ) {
    for (const [worker, slots] of reservations.slots) {
      if (slots <= 0) continue;
      const list = readyListOf(worker);
      if (!list || list.size === 0) continue;
      const iterator = list[Symbol.iterator]();
      const first = iterator.next();
      this.streams.set(worker, { iterator, head: first.done ? null : first.value });
    }
  }

  /** Applies every entry ranked strictly before `until`. */
  advanceTo(until: RankEntry): void {
    for (;;) {
      const next = this.nextBefore(until);
      if (next === null) return;
      const task = next.task;
      if (this.running[this.runningAt] === next) {
        this.runningAt++;
        this.reservations.holdRunning(task);
        continue;
      }
      if (this.visited.has(task.id)) continue;
      this.visited.add(task.id);
      // Only the requesting worker's own ready tasks could be "best" here, and
      // the caller has already ruled each of them out before advancing past it.
      if (this.reservations.fitsReserved(task)) this.reservations.simulateOtherTaker(task);
    }
  }

  /** Pops the lowest-ranked head among running tasks and live streams, if before `until`. */
  private nextBefore(until: RankEntry): RankEntry | null {
    let best: RankEntry | null = null;
    let bestStream: string | null = null;
    const running = this.running[this.runningAt];
    if (running && compareRank(running, until) < 0) best = running;
    for (const [worker, stream] of this.streams) {
      if (stream.head === null || !this.reservations.hasSlot(worker)) {
        this.streams.delete(worker);
        continue;
      }
      if (compareRank(stream.head, until) >= 0) continue;
      if (best === null || compareRank(stream.head, best) < 0) {
        best = stream.head;
        bestStream = worker;
      }
    }
    if (bestStream !== null) {
      const stream = this.streams.get(bestStream)!;
      const next = stream.iterator.next();
      stream.head = next.done ? null : next.value;
    }
    return best;
  }
}

/**
 * The lowest-ranked entry across several ranked lists grouped by signature;
 * a signature's lists can be dropped as a whole. An entry present in two
 * lists comes out once.
 */
export class SignatureHeads {
  private readonly streams: Array<{ signature: string; iterator: Iterator<RankEntry>; head: RankEntry }> = [];
  private readonly seen = new Set<RankEntry>();

  constructor(groups: ReadonlyArray<ReadonlyMap<string, SortedList<RankEntry>> | undefined>) {
    for (const lists of groups) {
      for (const [signature, list] of lists ?? []) {
        const iterator = list[Symbol.iterator]();
        const first = iterator.next();
        if (!first.done) this.streams.push({ signature, iterator, head: first.value });
      }
    }
  }

  next(): RankEntry | null {
    for (;;) {
      let at = -1;
      for (let i = 0; i < this.streams.length; i++) {
        if (at < 0 || compareRank(this.streams[i]!.head, this.streams[at]!.head) < 0) at = i;
      }
      if (at < 0) return null;
      const stream = this.streams[at]!;
      const entry = stream.head;
      const next = stream.iterator.next();
      if (next.done) this.streams.splice(at, 1);
      else stream.head = next.value;
      if (this.seen.has(entry)) continue;
      this.seen.add(entry);
      return entry;
    }
  }

  drop(signature: string): void {
    for (let i = this.streams.length - 1; i >= 0; i--) if (this.streams[i]!.signature === signature) this.streams.splice(i, 1);
  }
}
