/**
 * Upstream status (rpc.md §2.2, §3.5): what blocks a PENDING task. Used by
 * task_list's upstream filter and by count_pending.
 * @module
 */
import type { TaskRecord, UpstreamStatus } from "../types.ts";
import type { TaskLookup } from "./view.ts";

/** Least to most severe. */
const SEVERITY: readonly UpstreamStatus[] = ["", "UPSTREAM_RUNNING", "UPSTREAM_MISSING_INPUT", "UPSTREAM_FAILED", "UPSTREAM_DISABLED"];

const OWN_STATUS: Readonly<Record<string, UpstreamStatus>> = {
  FAILED: "UPSTREAM_FAILED",
  RUNNING: "UPSTREAM_RUNNING",
  BATCH_RUNNING: "UPSTREAM_RUNNING",
  PENDING: "UPSTREAM_MISSING_INPUT",
  DISABLED: "UPSTREAM_DISABLED",
};

function worst(a: UpstreamStatus, b: UpstreamStatus): UpstreamStatus {
  return SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a;
}

function expands(task: Readonly<TaskRecord>): boolean {
  return task.status === "PENDING" && task.deps.size > 0;
}

/**
 * Memoised for one request, as Luigi does. Iterative post-order DFS, because
 * chains can be 10⁵ deep; a node still being computed reads as "", which keeps
 * cycles finite.
 */
export class UpstreamStatusMemo {
  private readonly memo = new Map<string, UpstreamStatus>();

  constructor(private readonly engine: TaskLookup) {}

  of(taskId: string): UpstreamStatus {
    const known = this.memo.get(taskId);
    if (known !== undefined) return known;
    const stack: Array<{ id: string; expanded: boolean }> = [{ id: taskId, expanded: false }];
    while (stack.length > 0) {
      const frame = stack.pop()!;
      const task = this.engine.getTask(frame.id);
      if (!task || task.status === "DONE") continue;
      if (frame.expanded) {
        let status: UpstreamStatus = "";
        for (const dep of task.deps) status = worst(status, this.memo.get(dep) ?? "");
        this.memo.set(frame.id, status);
        continue;
      }
      if (this.memo.has(frame.id)) continue;
      if (expands(task)) {
        this.memo.set(frame.id, "");
        stack.push({ id: frame.id, expanded: true });
        for (const dep of task.deps) if (!this.memo.has(dep)) stack.push({ id: dep, expanded: false });
      } else {
        this.memo.set(frame.id, OWN_STATUS[task.status] ?? "");
      }
    }
    return this.memo.get(taskId) ?? "";
  }
}
