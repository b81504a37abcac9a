/**
 * What a young (eden) collection costs the server at scale: the real app in
 * this process (as inproc.ts), the pending scenario's 100k tasks, then a
 * young collection forced and timed after each kind of work. A collection
 * stops every request in flight, so its pause lands in the RPCs' tail. It
 * costs in proportion to what it must visit: the young objects that survive,
 * the old objects written since the last one (and all of a large Map, Set or
 * array that was written), and every entry of every WeakMap. The last two
 * grow with the task count; this catches a change that adds one of them.
 *
 * Last, what young collections leave behind for a full one: an object still
 * reachable when a young collection runs is old from then on, and only a full
 * collection frees it, however soon it dies. JSC starts full collections
 * rarely (at about twice the heap the last one left), so what calls leave
 * this way sets how far the heap, and RSS, climb under load.
 *
 *   bun scripts/bench/young-gc.ts [--tasks 100000] [--state file|memory] [--repeat 7]
 * @module
 */
import { edenGC, fullGC, heapSize } from "bun:jsc";
import { parseArgs } from "node:util";
import { buildDag, doneArgs, scheduleArgs, schedulingOrder, workerId } from "./dag.ts";
import { startInProcess } from "./inproc-app.ts";
import { median } from "./support.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "100000" },
    state: { type: "string", default: "file" },
    repeat: { type: "string", default: "7" },
  },
});
const W = 8;
const REPEAT = Number(values.repeat);
/** Calls between two timed collections: a few milliseconds of a busy server's work. */
const CALLS = 300;

const app = startInProcess(values.state!);
const dag = schedulingOrder(buildDag(Number(values.tasks), W));
for (const t of dag) await app.call("add_task", scheduleArgs(workerId(t.owner), t));
await app.service.flush();
console.log(`young collections with ${dag.length} tasks in the server (state ${values.state}), median of ${REPEAT} (min-max):`);

function pauseMs(): number {
  const started = performance.now();
  edenGC();
  return performance.now() - started;
}

/** Times a young collection after `work`, REPEAT times; the collection before each clears what came earlier. */
async function row(label: string, work: () => Promise<unknown>): Promise<void> {
  const pauses: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    edenGC();
    await work();
    await app.service.flush();
    pauses.push(pauseMs());
  }
  const sorted = [...pauses].sort((a, b) => a - b);
  console.log(`  ${label.padEnd(72)} ${median(pauses).toFixed(2)} ms (${sorted[0]!.toFixed(2)}-${sorted.at(-1)!.toFixed(2)})`);
}

let fresh = 0;
const newTask = (owner: number) => ({ id: `Fresh_${fresh}_0123456789`, family: "Fresh", params: { n: String(fresh++) }, deps: [], priority: 50, resources: {}, owner });

async function workerRounds(): Promise<void> {
  for (let k = 0; k < CALLS / 3; k++) {
    const worker = workerId(k % W);
    await app.call("add_task", scheduleArgs(worker, newTask(k % W)));
    const reply = (await app.call("get_work", { worker, host: "bench", assistant: false, current_tasks: [] })) as { task_id: string | null };
    if (reply.task_id) await app.call("add_task", doneArgs(worker, reply.task_id));
  }
}

async function pings(): Promise<void> {
  for (let k = 0; k < CALLS; k++) await app.call("ping", { worker: workerId(k % W) });
}

async function phase(when: string): Promise<void> {
  fullGC();
  await row(`${when}: nothing between collections`, async () => {});
  await row(`${when}: ${CALLS} pings`, pings);
  await row(`${when}: ${CALLS / 3} rounds (new task, get_work, DONE report)`, workerRounds);
}

await phase("after the fill");
await app.call("task_list", { status: "PENDING", upstream_status: "", search: "", max_shown_tasks: 10 ** 9 });
await phase("after a task_list of every task");
await app.get("/ui-api/summary?fresh=1");
await phase("after the visualiser's task index was built");

/** Young collections as a busy server has them: one every few thousand calls. */
async function leftForFullCollection(): Promise<void> {
  const BATCHES = 10;
  fullGC();
  const calls0 = app.calls();
  const before = heapSize();
  for (let b = 0; b < BATCHES; b++) {
    for (let i = 0; i < 10; i++) await workerRounds();
    await app.service.flush();
    edenGC();
  }
  const afterYoung = heapSize();
  fullGC();
  const afterFull = heapSize();
  const calls = app.calls() - calls0;
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  console.log(
    `left for a full collection by ${calls} calls (rounds; a young collection every ${calls / BATCHES}): ${mb(afterYoung - afterFull)} MB, ` +
      `${((afterYoung - afterFull) / calls).toFixed(0)} bytes a call (still live: ${mb(afterFull - before)} MB, the new tasks)`,
  );
}
await leftForFullCollection();
await app.close();
