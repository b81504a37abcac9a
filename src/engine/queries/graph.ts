/**
 * The graph views (rpc.md §5.18, §5.19): breadth-first from a root, capped at
 * max_graph_nodes per traversal, placeholders for unknown or family-less ids.
 * @module
 */
import type { DepGraphArgs } from "../args.ts";
import type { Seconds, TaskRecord } from "../types.ts";
import { type PlaceholderNode, placeholderNode, type SerialisedTask, serialiseTask } from "./serialise.ts";
import type { EngineView } from "./view.ts";
import { dict } from "./dict.ts";

export type GraphNode = SerialisedTask | PlaceholderNode;
export type Graph = Record<string, GraphNode>;

type Edges = (task: Readonly<TaskRecord>) => Iterable<string>;

/** Python's sorted() on strings: by code point, not locale. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function traverse(engine: EngineView, rootId: string, seen: Set<string>, edges: Edges, includeDone: boolean): Graph {
  if (seen.has(rootId)) return {};
  seen.add(rootId);
  const graph: Graph = dict();
  const queue = [rootId];
  let emitted = 0;
  // An index into the queue instead of shift(): graphs can hold 10⁵ nodes.
  for (let head = 0; head < queue.length; head += 1) {
    const id = queue[head]!;
    const task = engine.getTask(id);
    let node: GraphNode;
    if (!task || !task.family) {
      node = placeholderNode(id);
    } else {
      let targets = [...edges(task)];
      if (!includeDone) targets = targets.filter((target) => engine.getTask(target)?.status !== "DONE");
      node = serialiseTask(task, engine.config, targets);
      for (const target of [...targets].sort(byCodePoint)) {
        if (seen.has(target)) continue;
        seen.add(target);
        queue.push(target);
      }
    }
    if (id !== rootId) delete node.display_name;
    graph[id] = node;
    emitted += 1;
    if (emitted >= engine.config.maxGraphNodes) break;
  }
  return graph;
}

/** Every task's graph, one traversal per task not reached by an earlier one (luigi-grep). */
export function graph(engine: EngineView, now: Seconds): Graph {
  engine.prune(now);
  const seen = new Set<string>();
  const out: Graph = dict();
  for (const task of engine.tasks()) Object.assign(out, traverse(engine, task.id, seen, (t) => t.deps, true));
  return out;
}

export function depGraph(engine: EngineView, args: DepGraphArgs, now: Seconds): Graph {
  engine.prune(now);
  if (!engine.getTask(args.taskId)) return {};
  return traverse(engine, args.taskId, new Set(), (t) => t.deps, args.includeDone);
}

export function inverseDepGraph(engine: EngineView, args: DepGraphArgs, now: Seconds): Graph {
  engine.prune(now);
  if (!engine.getTask(args.taskId)) return {};
  const dependents = new Map<string, string[]>();
  for (const task of engine.tasks()) {
    for (const dep of task.deps) {
      const list = dependents.get(dep);
      if (list) list.push(task.id);
      else dependents.set(dep, [task.id]);
    }
  }
  return traverse(engine, args.taskId, new Set(), (t) => dependents.get(t.id) ?? [], args.includeDone);
}
