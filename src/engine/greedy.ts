/**
 * The greedy capacity model of get_work (rpc.md §6.3): walking candidates in
 * rank order, running tasks and tasks that other active workers would take
 * first reserve resources, so a lower-ranked task only gets a resource that is
 * still free after them.
 * @module
 */
import type { TaskRecord } from "./types.ts";

export type Amounts = Record<string, number>;

/** fits(need, already): every amount + already ≤ capacity (unknown resources have capacity 1). */
export function fits(need: Amounts | null, already: Amounts, capacities: Readonly<Amounts>): boolean {
  if (!need) return true;
  for (const name in need) {
    const capacity = Object.hasOwn(capacities, name) ? capacities[name]! : 1;
    if (need[name]! + (already[name] ?? 0) > capacity) return false;
  }
  return true;
}

export function addAmounts(into: Amounts, amounts: Amounts | null): void {
  if (!amounts) return;
  for (const name in amounts) into[name] = (into[name] ?? 0) + amounts[name]!;
}

/** The reservation state of one get_work scan. */
export class Reservations {
  readonly reserved: Amounts = {};
  /** Workers with a positive slot count left. */
  private positive = 0;

  constructor(
    /** worker id -> slots left (info.workers), only workers active in get_work. */
    readonly slots: Map<string, number>,
    readonly capacities: Readonly<Amounts>,
    /** The requesting worker, appended as a fallback taker for assistant requests. */
    private readonly assistantWorker: string | null,
  ) {
    for (const n of slots.values()) if (n > 0) this.positive++;
  }

  /** No active worker has a slot left: only running tasks can still reserve. */
  get exhausted(): boolean {
    return this.positive === 0;
  }

  hasSlot(worker: string): boolean {
    return (this.slots.get(worker) ?? 0) > 0;
  }

  private take(worker: string): void {
    const left = this.slots.get(worker)!;
    if (left > 0 && left <= 1) this.positive--;
    this.slots.set(worker, left - 1);
  }

  /** Step 3: a running task holds one slot of its runner (may go negative) and its resources. */
  holdRunning(task: TaskRecord): void {
    const runner = task.workerRunning;
    if (runner === null || !this.slots.has(runner)) return;
    this.take(runner);
    addAmounts(this.reserved, task.resourcesRunning ?? task.resources);
  }

  /** Step 4, "otherwise": the first of the task's workers with a free slot takes it. */
  simulateOtherTaker(task: TaskRecord): void {
    for (const worker of task.workers) {
      if (this.hasSlot(worker)) {
        this.take(worker);
        addAmounts(this.reserved, task.resources);
        return;
      }
    }
    if (this.assistantWorker !== null && this.hasSlot(this.assistantWorker)) {
      this.take(this.assistantWorker);
      addAmounts(this.reserved, task.resources);
    }
  }

  fitsReserved(task: TaskRecord): boolean {
    return fits(task.resources, this.reserved, this.capacities);
  }
}
