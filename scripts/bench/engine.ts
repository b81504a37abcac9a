/**
 * In-process engine benchmark (no HTTP): the cost of the engine calls alone
 * at scale. `bun scripts/bench/engine.ts [--tasks 100000] [--done 0]`
 * Adds the DAG as W workers would, marks the first `--done` tasks DONE, then
 * times get_work + DONE reports and add_task re-adds.
 */
import { parseArgs } from "node:util";
import { Engine } from "../../src/engine/engine.ts";
import { DEFAULT_ENGINE_CONFIG } from "../../src/engine/types.ts";
import { addTaskArgs } from "../../test/engine/helpers.ts";
import { buildDag, percentile, schedulingOrder } from "./dag.ts";

const { values } = parseArgs({ options: { tasks: { type: "string", default: "100000" }, workers: { type: "string", default: "8" }, done: { type: "string", default: "0" }, calls: { type: "string", default: "5000" } } });
const N = Number(values.tasks);
const W = Number(values.workers);
const workers = Array.from({ length: W }, (_, i) => `Worker(salt=${100000000 + i}, workers=1, host=bench, username=bench, pid=${i})`);
const engine = new Engine({ ...DEFAULT_ENGINE_CONFIG, resources: { db: 4 } });
let now = Date.now() / 1000;

const tasks = schedulingOrder(buildDag(N, W));
const addTimes: number[] = [];
const heapBefore = process.memoryUsage().rss;
let t0 = performance.now();
for (const t of tasks) {
  const s = performance.now();
  engine.addTask(addTaskArgs(t.id, workers[t.owner]!, { deps: t.deps, family: t.family, params: t.params, priority: t.priority, resources: t.resources, module: "bench" }), (now += 1e-5));
  addTimes.push(performance.now() - s);
}
engine.drainEvents();
engine.drainChanges();
console.log(`added ${tasks.length} tasks in ${(performance.now() - t0).toFixed(0)} ms; add_task p50 ${percentile(addTimes.sort((a, b) => a - b), 50).toFixed(4)} ms p99 ${percentile(addTimes, 99).toFixed(4)} ms; rss +${((process.memoryUsage().rss - heapBefore) / 1e6).toFixed(0)} MB`);

const doneCount = Number(values.done);
t0 = performance.now();
for (let i = 0; i < doneCount && i < tasks.length; i++) {
  const t = tasks[tasks.length - 1 - i]!;
  engine.addTask(addTaskArgs(t.id, workers[t.owner]!, { status: "DONE", runnable: false }), (now += 1e-5));
}
if (doneCount) console.log(`marked ${doneCount} DONE in ${(performance.now() - t0).toFixed(0)} ms`);
engine.drainEvents();
engine.drainChanges();

const calls = Number(values.calls);
const times: number[] = [];
let handed = 0;
t0 = performance.now();
for (let i = 0; i < calls; i++) {
  const w = workers[i % W]!;
  const s = performance.now();
  const reply = engine.getWork({ worker: w, host: "bench", assistant: false, currentTasks: [] }, (now += 1e-4));
  times.push(performance.now() - s);
  if (reply.handout?.kind === "task") {
    handed++;
    engine.addTask(addTaskArgs(reply.handout.taskId, w, { status: "DONE", runnable: false, expl: "null", newDeps: [] }), (now += 1e-4));
  }
  if (i % 1000 === 0) {
    engine.drainEvents();
    engine.drainChanges();
  }
}
times.sort((a, b) => a - b);
console.log(`get_work x${calls} (${handed} handed out) in ${(performance.now() - t0).toFixed(0)} ms: p50 ${percentile(times, 50).toFixed(4)} ms p99 ${percentile(times, 99).toFixed(4)} ms max ${times.at(-1)!.toFixed(3)} ms`);
t0 = performance.now();
engine.prune(now);
console.log(`prune: ${(performance.now() - t0).toFixed(1)} ms`);

// A worker whose ready tasks mostly wait for a resource that is in use: each
// get_work judges one task per resource signature, not every waiting task.
{
  const sat = new Engine({ ...DEFAULT_ENGINE_CONFIG, resources: { db: 1 } });
  let t = Date.now() / 1000;
  const w = workers[0]!;
  for (let i = 0; i < N / 2; i++) sat.addTask(addTaskArgs(`Load_${i}`, w, { resources: { db: 1 }, priority: 1 }), (t += 1e-5));
  sat.addTask(addTaskArgs("Free", w), (t += 1e-5));
  sat.getWork({ worker: w, host: null, assistant: false, currentTasks: [] }, (t += 1));
  const lat: number[] = [];
  for (let i = 0; i < 500; i++) {
    const s = performance.now();
    sat.getWork({ worker: w, host: null, assistant: false, currentTasks: ["Load_0", "Free"] }, (t += 1e-3));
    lat.push(performance.now() - s);
  }
  lat.sort((a, b) => a - b);
  console.log(`get_work with ${N / 2} ready tasks waiting on a used resource: p50 ${percentile(lat, 50).toFixed(4)} ms p99 ${percentile(lat, 99).toFixed(4)} ms`);
}
