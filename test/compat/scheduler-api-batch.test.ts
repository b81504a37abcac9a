/**
 * Batching behaviours pinned by Luigi's test/scheduler_api_test.py
 * (SchedulerApiTest), each named after Luigi's test.
 */
import { describe, expect, test } from "bun:test";
import { apiScheduler, type Scheduler, WORKER } from "./luigi-scheduler.ts";

function addA(sch: Scheduler, id: string, a: unknown, extra: Record<string, unknown> = {}): void {
  sch.add_task({ worker: WORKER, task_id: id, family: "A", params: { a }, batchable: true, ...extra });
}

function batcher(sch: Scheduler, extra: Record<string, unknown> = {}): void {
  sch.add_task_batcher({ worker: WORKER, task_family: "A", batched_args: ["a"], ...extra });
}

/** _start_simple_batch: two members; the runner registers as A_1_2 (joined) or A_2 (max). */
function startSimpleBatch(sch: Scheduler, { useMax = false, markRunning = true, resources = null as Record<string, number> | null } = {}) {
  batcher(sch);
  addA(sch, "A_1", "1", { resources });
  addA(sch, "A_2", "2", { resources });
  const response = sch.get_work({ worker: WORKER });
  const batchId = response.batch_id;
  const [taskId, params] = useMax ? ["A_2", { a: "2" }] : ["A_1_2", { a: "1,2" }];
  if (markRunning) sch.add_task({ worker: WORKER, task_id: taskId, task_family: "A", params, batch_id: batchId, status: "RUNNING" });
  return { batchId, taskId, params };
}

describe("SchedulerApiTest: batches", () => {
  test("test_get_work_single_batch_item", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A_a_1", "1");
    const response = sch.get_work({ worker: WORKER });
    expect(response.task_id).toBe("A_a_1");
    for (const value of Object.values(response.task_params!)) expect(Array.isArray(value)).toBe(false);
  });

  test("test_get_work_multiple_batch_items", () => {
    const sch = apiScheduler();
    batcher(sch);
    for (const a of ["1", "2", "3"]) addA(sch, `A_a_${a}`, a);
    const response = sch.get_work({ worker: WORKER });
    expect(response.task_id).toBeNull();
    expect(response.task_params).toEqual({ a: ["1", "2", "3"] });
    expect(response.task_family).toBe("A");
  });

  test("test_batch_time_running", () => {
    const sch = apiScheduler();
    sch.setTime(1234);
    batcher(sch);
    for (const a of ["1", "2", "3"]) addA(sch, `A_a_${a}`, a);
    sch.get_work({ worker: WORKER });
    for (const task of Object.values(sch.task_list())) expect(task.time_running).toBe(1234);
  });

  test("test_batch_ignore_items_not_ready", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A_a_1", "1");
    addA(sch, "A_a_2", "2", { deps: ["NOT_DONE"] });
    addA(sch, "A_a_3", "3", { deps: ["DONE"] });
    addA(sch, "A_a_4", "4", { deps: ["DONE"] });
    addA(sch, "A_a_5", "5", { deps: ["NOT_DONE"] });
    sch.add_task({ worker: WORKER, task_id: "NOT_DONE", runnable: false });
    sch.add_task({ worker: WORKER, task_id: "DONE", status: "DONE" });
    const response = sch.get_work({ worker: WORKER });
    expect(response.task_id).toBeNull();
    expect(response.task_params).toEqual({ a: ["1", "3", "4"] });
  });

  test("test_batch_ignore_first_item_not_ready", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A_a_1", "1", { deps: ["NOT_DONE"] });
    addA(sch, "A_a_2", "2", { deps: ["DONE"] });
    addA(sch, "A_a_3", "3", { deps: ["DONE"] });
    sch.add_task({ worker: WORKER, task_id: "NOT_DONE", runnable: false });
    sch.add_task({ worker: WORKER, task_id: "DONE", status: "DONE" });
    const response = sch.get_work({ worker: WORKER });
    expect(response.task_id).toBeNull();
    expect(response.task_params).toEqual({ a: ["2", "3"] });
  });

  test("test_get_work_with_batch_items_with_resources", () => {
    const sch = apiScheduler();
    batcher(sch);
    for (const a of ["1", "2", "3"]) addA(sch, `A_a_${a}`, a, { resources: { r1: 1 } });
    const response = sch.get_work({ worker: WORKER });
    expect(response.task_id).toBeNull();
    expect(response.task_params).toEqual({ a: ["1", "2", "3"] });
  });

  test("test_get_work_limited_batch_size", () => {
    const sch = apiScheduler();
    batcher(sch, { max_batch_size: 2 });
    addA(sch, "A_a_1", "1", { priority: 1 });
    addA(sch, "A_a_2", "2");
    addA(sch, "A_a_3", "3", { priority: 2 });
    const response = sch.get_work({ worker: WORKER });
    expect(response.task_id).toBeNull();
    expect(response.task_params).toEqual({ a: ["3", "1"] });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A_a_2");
  });

  test("test_get_work_do_not_batch_non_batchable_item", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A_a_1", "1", { priority: 1 });
    addA(sch, "A_a_2", "2");
    addA(sch, "A_a_3", "3", { batchable: false, priority: 2 });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A_a_3");
    const response = sch.get_work({ worker: WORKER });
    expect(response.task_id).toBeNull();
    expect(response.task_params).toEqual({ a: ["1", "2"] });
  });

  test("test_get_work_group_on_non_batch_params", () => {
    const sch = apiScheduler();
    sch.add_task_batcher({ worker: WORKER, task_family: "A", batched_args: ["b"] });
    for (const a of [1, 2]) {
      for (const b of [1, 2]) {
        for (const c of [1, 2]) {
          sch.add_task({
            worker: WORKER,
            task_id: `A_${a}_${b}_${c}`,
            family: "A",
            params: { a: String(a), b: String(b), c: String(c) },
            batchable: true,
            priority: 9 * a + 3 * c + b,
          });
        }
      }
    }
    for (const [a, c] of [["2", "2"], ["2", "1"], ["1", "2"], ["1", "1"]]) {
      const response = sch.get_work({ worker: WORKER });
      expect(response.task_id).toBeNull();
      expect(response.task_params).toEqual({ a, b: ["2", "1"], c });
    }
  });

  test("test_get_work_multiple_batched_params", () => {
    const sch = apiScheduler();
    sch.add_task_batcher({ worker: WORKER, task_family: "A", batched_args: ["a", "b"] });
    let priority = 0;
    for (const [a, b] of [["1", "1"], ["1", "2"], ["2", "1"], ["2", "2"]]) {
      priority += 1;
      sch.add_task({ worker: WORKER, task_id: `A_${a}_${b}`, family: "A", params: { a, b }, priority, batchable: true });
    }
    const response = sch.get_work({ worker: WORKER });
    expect(response.task_id).toBeNull();
    expect(response.task_params).toEqual({ a: ["2", "2", "1", "1"], b: ["2", "1", "2", "1"] });
  });

  test("test_get_work_with_unbatched_worker_on_batched_task", () => {
    const sch = apiScheduler();
    sch.add_task_batcher({ worker: "batcher", task_family: "A", batched_args: ["a"] });
    for (let i = 0; i < 5; i += 1) {
      sch.add_task({ worker: WORKER, task_id: `A_${i}`, family: "A", params: { a: String(i) }, priority: i, batchable: false });
      sch.add_task({ worker: "batcher", task_id: `A_${i}`, family: "A", params: { a: String(i) }, priority: i, batchable: true });
    }
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A_4");
    const response = sch.get_work({ worker: "batcher" });
    expect(response.task_id).toBeNull();
    expect(response.task_params).toEqual({ a: ["3", "2", "1", "0"] });
  });

  test("test_batched_tasks_become_batch_running", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A_1", 1);
    addA(sch, "A_2", 2);
    sch.get_work({ worker: WORKER });
    expect(sch.ids("BATCH_RUNNING", "")).toEqual(new Set(["A_1", "A_2"]));
  });

  test("test_downstream_jobs_from_batch_running_have_upstream_running_status", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A_1", 1);
    addA(sch, "A_2", 2);
    sch.get_work({ worker: WORKER });
    expect(sch.ids("BATCH_RUNNING", "")).toEqual(new Set(["A_1", "A_2"]));
    sch.add_task({ worker: WORKER, task_id: "B", deps: ["A_1"] });
    expect(sch.ids("PENDING", "UPSTREAM_RUNNING")).toEqual(new Set(["B"]));
  });

  test("test_set_batch_runner_new_task", () => {
    const sch = apiScheduler();
    const { taskId } = startSimpleBatch(sch);
    expect(taskId).toBe("A_1_2");
    expect(sch.ids("BATCH_RUNNING", "")).toEqual(new Set(["A_1", "A_2"]));
    expect(sch.ids("RUNNING", "")).toEqual(new Set(["A_1_2"]));
    sch.add_task({ worker: WORKER, task_id: "A_1_2", status: "DONE" });
    expect(sch.ids("DONE", "")).toEqual(new Set(["A_1", "A_2", "A_1_2"]));
  });

  test("test_set_batch_runner_max", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch, { useMax: true });
    expect(sch.ids("BATCH_RUNNING", "")).toEqual(new Set(["A_1"]));
    expect(sch.ids("RUNNING", "")).toEqual(new Set(["A_2"]));
    sch.add_task({ worker: WORKER, task_id: "A_2", status: "DONE" });
    expect(sch.ids("DONE", "")).toEqual(new Set(["A_1", "A_2"]));
  });

  test("test_set_batch_runner_retry", () => {
    const sch = apiScheduler();
    const { batchId, taskId, params } = startSimpleBatch(sch);
    sch.add_task({ worker: WORKER, task_id: taskId, task_family: "A", params, batch_id: batchId, status: "RUNNING" });
    expect(sch.ids("RUNNING", "")).toEqual(new Set([taskId]));
    expect(sch.ids("BATCH_RUNNING", "")).toEqual(new Set(["A_1", "A_2"]));
  });

  test("test_set_batch_runner_multiple_retries", () => {
    const sch = apiScheduler();
    const { batchId, taskId, params } = startSimpleBatch(sch);
    for (let i = 0; i < 3; i += 1) sch.add_task({ worker: WORKER, task_id: taskId, task_family: "A", params, batch_id: batchId, status: "RUNNING" });
    expect(sch.ids("RUNNING", "")).toEqual(new Set([taskId]));
    expect(sch.ids("BATCH_RUNNING", "")).toEqual(new Set(["A_1", "A_2"]));
  });

  test("test_batch_fail", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch);
    sch.add_task({ worker: WORKER, task_id: "A_1_2", status: "FAILED", expl: "bad failure" });
    // The failed runner is removed by the prune task_list runs first (rpc.md §3.1 step 7).
    expect(sch.ids("FAILED", "")).toEqual(new Set(["A_1", "A_2"]));
    for (const id of ["A_1", "A_2"]) expect(sch.fetch_error(id).error).toBe("bad failure");
  });

  test("test_batch_fail_max", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch, { useMax: true });
    sch.add_task({ worker: WORKER, task_id: "A_2", status: "FAILED", expl: "bad max failure" });
    expect(sch.ids("FAILED", "")).toEqual(new Set(["A_1", "A_2"]));
    for (const id of ["A_1", "A_2"]) expect(sch.fetch_error(id).error).toBe("bad max failure");
  });

  test.each([
    ["test_batch_fail_from_dead_worker", {}],
    ["test_batch_fail_max_from_dead_worker", { useMax: true }],
    ["test_batch_fail_from_dead_worker_without_running", { markRunning: false }],
  ])("%s", (_name, options) => {
    const sch = apiScheduler();
    sch.setTime(1);
    startSimpleBatch(sch, options);
    sch.setTime(601);
    sch.prune();
    expect(sch.ids("FAILED", "")).toEqual(new Set(["A_1", "A_2"]));
  });

  test("test_batch_update_status", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch);
    sch.call("set_task_status_message", { task_id: "A_1_2", status_message: "test message" });
    for (const id of ["A_1", "A_2", "A_1_2"]) expect(sch.call("get_task_status_message", { task_id: id }).statusMessage).toBe("test message");
  });

  test("test_batch_update_progress", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch);
    sch.call("set_task_progress_percentage", { task_id: "A_1_2", progress_percentage: 30 });
    for (const id of ["A_1", "A_2", "A_1_2"]) expect(sch.call("get_task_progress_percentage", { task_id: id }).progressPercentage).toBe(30);
  });

  test("test_batch_decrease_resources", () => {
    const sch = apiScheduler();
    sch.update_resources({ x: 3 });
    startSimpleBatch(sch, { resources: { x: 3 } });
    sch.call("decrease_running_task_resources", { task_id: "A_1_2", decrease_resources: { x: 1 } });
    for (const id of ["A_1", "A_2", "A_1_2"]) expect(sch.call("get_running_task_resources", { task_id: id }).resources.x).toBe(2);
  });

  test("test_batch_tracking_url", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch);
    sch.add_task({ worker: WORKER, task_id: "A_1_2", tracking_url: "http://test.tracking.url/" });
    const tasks = sch.task_list("", "");
    for (const id of ["A_1", "A_2", "A_1_2"]) expect(tasks[id].tracking_url).toBe("http://test.tracking.url/");
  });

  test("test_finish_batch", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch);
    sch.add_task({ worker: WORKER, task_id: "A_1_2", status: "DONE" });
    expect(sch.ids("DONE", "")).toEqual(new Set(["A_1", "A_2", "A_1_2"]));
  });

  test("test_reschedule_max_batch", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A_1", "1");
    addA(sch, "A_2", "2");
    const response = sch.get_work({ worker: WORKER });
    sch.add_task({ worker: WORKER, task_id: "A_2", task_family: "A", params: { a: "2" }, batch_id: response.batch_id, status: "RUNNING" });
    sch.add_task({ worker: WORKER, task_id: "A_2", status: "DONE" });
    sch.add_task({ worker: WORKER, task_id: "A_2", task_family: "A", params: { a: "2" }, batchable: true });
    expect(sch.ids("PENDING", "")).toEqual(new Set(["A_2"]));
    expect(sch.ids("DONE", "")).toEqual(new Set(["A_1"]));
  });

  test("test_resend_batch_on_get_work_retry", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A_1", "1");
    addA(sch, "A_2", "2");
    const first = sch.get_work({ worker: WORKER });
    const second = sch.get_work({ worker: WORKER, current_tasks: [] });
    expect(second.task_id).toBe(first.task_id);
    expect(second.task_family).toBe(first.task_family);
    expect(second.task_params).toEqual(first.task_params);
  });

  test("test_resend_batch_runner_on_get_work_retry", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch);
    expect(sch.get_work({ worker: WORKER, current_tasks: [] }).task_id).toBe("A_1_2");
  });

  test("test_resend_max_batch_runner_on_get_work_retry", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch, { useMax: true });
    expect(sch.get_work({ worker: WORKER, current_tasks: [] }).task_id).toBe("A_2");
  });

  test("test_do_not_resend_batch_runner_on_get_work", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch);
    expect(sch.get_work({ worker: WORKER, current_tasks: ["A_1_2"] }).task_id).toBeNull();
  });

  test("test_do_not_resend_max_batch_runner_on_get_work", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch, { useMax: true });
    expect(sch.get_work({ worker: WORKER, current_tasks: ["A_2"] }).task_id).toBeNull();
  });

  test("test_rescheduled_batch_running_tasks_stay_batch_running_before_runner", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A_1", "1");
    addA(sch, "A_2", "2");
    sch.get_work({ worker: WORKER });
    addA(sch, "A_1", "1");
    addA(sch, "A_2", "2");
    expect(sch.ids("BATCH_RUNNING", "")).toEqual(new Set(["A_1", "A_2"]));
  });

  test("test_rescheduled_batch_running_tasks_stay_batch_running_after_runner", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch);
    addA(sch, "A_1", "1");
    addA(sch, "A_2", "2");
    expect(sch.ids("BATCH_RUNNING", "")).toEqual(new Set(["A_1", "A_2"]));
  });

  test("test_disabled_batch_running_tasks_stay_batch_running_before_runner", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A_1", "1");
    addA(sch, "A_2", "2");
    sch.get_work({ worker: WORKER });
    addA(sch, "A_1", "1", { status: "DISABLED" });
    addA(sch, "A_2", "2", { status: "DISABLED" });
    expect(sch.ids("BATCH_RUNNING", "")).toEqual(new Set(["A_1", "A_2"]));
  });

  test("test_disabled_batch_running_tasks_stay_batch_running_after_runner", () => {
    const sch = apiScheduler();
    startSimpleBatch(sch);
    addA(sch, "A_1", "1", { status: "DISABLED" });
    addA(sch, "A_2", "2", { status: "DISABLED" });
    expect(sch.ids("BATCH_RUNNING", "")).toEqual(new Set(["A_1", "A_2"]));
  });

  test("test_get_work_returns_batch_task_id_list", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A_1", "1");
    addA(sch, "A_2", "2");
    expect(new Set(sch.get_work({ worker: WORKER }).batch_task_ids)).toEqual(new Set(["A_1", "A_2"]));
  });

  test("test_do_not_allow_stowaway_resources", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A1", "1", { resources: { r1: 1 }, priority: 1 });
    addA(sch, "A2", "2", { resources: { r1: 2 } });
    addA(sch, "A3", "3", { resources: { r2: 1 } });
    addA(sch, "A4", "4", { resources: { r1: 1 } });
    expect(new Set(sch.get_work({ worker: WORKER }).batch_task_ids)).toEqual(new Set(["A1", "A4"]));
  });

  test("test_do_not_allow_same_resources", () => {
    const sch = apiScheduler();
    batcher(sch);
    addA(sch, "A1", "1", { resources: { r1: 1 }, priority: 1 });
    for (const a of ["2", "3", "4"]) addA(sch, `A${a}`, a, { resources: { r1: 1 } });
    expect(new Set(sch.get_work({ worker: WORKER }).batch_task_ids)).toEqual(new Set(["A1", "A2", "A3", "A4"]));
  });

  describe("an assistant's batch whose resources change", () => {
    function assistantBatch(sch: Scheduler) {
      sch.add_task_batcher({ worker: "assistant", task_family: "A", batched_args: ["a"], max_batch_size: 2 });
      for (const a of [1, 2, 3]) addA(sch, `A${a}`, String(a), { resources: { a: 1 }, priority: a });
      const result = sch.get_work({ worker: "assistant", assistant: true });
      expect(new Set(result.batch_task_ids)).toEqual(new Set(["A3", "A2"]));
      return result.batch_id;
    }
    const reschedule = (sch: Scheduler) => {
      for (const a of [2, 3]) addA(sch, `A${a}`, String(a), { resources: { b: 1 }, priority: a });
    };

    test("test_assistant_has_different_resources_than_scheduled_max_task_id", () => {
      const sch = apiScheduler();
      const batchId = assistantBatch(sch);
      sch.add_task({ worker: "assistant", task_id: "A3", status: "RUNNING", batch_id: batchId, resources: { b: 1 } });
      expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
    });

    test("test_assistant_has_different_resources_than_scheduled_new_task_id", () => {
      const sch = apiScheduler();
      const batchId = assistantBatch(sch);
      sch.add_task({ worker: "assistant", task_id: "A_2_3", status: "RUNNING", batch_id: batchId, resources: { b: 1 } });
      expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
    });

    test("test_assistant_has_different_resources_than_scheduled_max_task_id_during_scheduling", () => {
      const sch = apiScheduler();
      const batchId = assistantBatch(sch);
      reschedule(sch);
      sch.add_task({ worker: "assistant", task_id: "A3", status: "RUNNING", batch_id: batchId, resources: { b: 1 } });
      expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
    });

    test("test_assistant_has_different_resources_than_scheduled_new_task_id_during_scheduling", () => {
      const sch = apiScheduler();
      const batchId = assistantBatch(sch);
      reschedule(sch);
      sch.add_task({ worker: "assistant", task_id: "A_2_3", status: "RUNNING", batch_id: batchId, resources: { b: 1 } });
      expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
    });
  });
});
