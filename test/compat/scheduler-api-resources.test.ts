/**
 * Resource behaviours pinned by Luigi's test/scheduler_api_test.py
 * (SchedulerApiTest): capacities, greedy reservations for active workers,
 * running-task resources. Each test is named after Luigi's.
 */
import { describe, expect, test } from "bun:test";
import { apiScheduler, type Scheduler, taskOrder, WORKER } from "./luigi-scheduler.ts";

function resourceCount(sch: Scheduler, name: string): unknown {
  return sch.resource_list().find((resource) => resource.name === name)?.num_total;
}

describe("SchedulerApiTest: resources", () => {
  test("test_scheduler_resources_none_allow_one", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", resources: { R1: 1 } });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
  });

  test("test_scheduler_resources_none_disallow_two", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", resources: { R1: 2 } });
    expect(sch.get_work({ worker: "X" }).task_id).toBeNull();
  });

  test.each([
    ["test_scheduler_with_insufficient_resources", 2, null],
    ["test_scheduler_with_sufficient_resources", 3, "A"],
  ])("%s", (_name, capacity, expected) => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", resources: { R1: 3 } });
    sch.update_resources({ R1: capacity });
    expect(sch.get_work({ worker: "X" }).task_id).toBe(expected);
  });

  test("test_scheduler_with_resources_used", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", resources: { R1: 1 } });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    sch.add_task({ worker: "Y", task_id: "B", resources: { R1: 1 } });
    sch.update_resources({ R1: 1 });
    expect(sch.get_work({ worker: "Y" }).task_id).toBeNull();
  });

  test("test_scheduler_overprovisioned_on_other_resource", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", resources: { R1: 2 } });
    sch.update_resources({ R1: 2 });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    sch.add_task({ worker: "Y", task_id: "B", resources: { R2: 2 } });
    sch.update_resources({ R1: 1, R2: 2 });
    expect(sch.get_work({ worker: "Y" }).task_id).toBe("B");
  });

  test("test_scheduler_with_priority_and_competing_resources", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A" });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    sch.add_task({ worker: "X", task_id: "B", resources: { R: 1 }, priority: 10 });
    sch.add_task({ worker: "Y", task_id: "C", resources: { R: 1 }, priority: 1 });
    sch.update_resources({ R: 1 });
    expect(sch.get_work({ worker: "Y" }).task_id).toBeNull();
    sch.add_task({ worker: "Y", task_id: "D", priority: 0 });
    expect(sch.get_work({ worker: "Y" }).task_id).toBe("D");
  });

  test("test_do_not_lock_resources_when_not_ready", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", priority: 10 });
    sch.add_task({ worker: "X", task_id: "B", resources: { R: 1 }, priority: 5 });
    sch.add_task({ worker: "Y", task_id: "C", resources: { R: 1 }, priority: 1 });
    sch.update_resources({ R: 1 });
    sch.add_worker("X", [["workers", 1]]);
    expect(sch.get_work({ worker: "Y" }).task_id).toBe("C");
  });

  test("test_lock_resources_when_one_of_multiple_workers_is_ready", () => {
    const sch = apiScheduler();
    sch.get_work({ worker: "X" });
    sch.add_task({ worker: "X", task_id: "A", priority: 10 });
    sch.add_task({ worker: "X", task_id: "B", resources: { R: 1 }, priority: 5 });
    sch.add_task({ worker: "Y", task_id: "C", resources: { R: 1 }, priority: 1 });
    sch.update_resources({ R: 1 });
    sch.add_worker("X", [["workers", 2]]);
    sch.add_worker("Y", []);
    expect(sch.get_work({ worker: "Y" }).task_id).toBeNull();
  });

  test("test_do_not_lock_resources_while_running_higher_priority", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", priority: 10 });
    sch.add_task({ worker: "X", task_id: "B", resources: { R: 1 }, priority: 5 });
    sch.add_task({ worker: "Y", task_id: "C", resources: { R: 1 }, priority: 1 });
    sch.update_resources({ R: 1 });
    sch.add_worker("X", [["workers", 1]]);
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    expect(sch.get_work({ worker: "Y" }).task_id).toBe("C");
  });

  test("test_lock_resources_while_running_lower_priority", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", priority: 4 });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    sch.add_task({ worker: "X", task_id: "B", resources: { R: 1 }, priority: 5 });
    sch.add_task({ worker: "Y", task_id: "C", resources: { R: 1 }, priority: 1 });
    sch.update_resources({ R: 1 });
    sch.add_worker("X", [["workers", 1]]);
    expect(sch.get_work({ worker: "Y" }).task_id).toBeNull();
  });

  test("test_lock_resources_for_second_worker", () => {
    const sch = apiScheduler();
    sch.get_work({ worker: "Y" });
    sch.add_task({ worker: "X", task_id: "A", resources: { R: 1 } });
    sch.add_task({ worker: "X", task_id: "B", resources: { R: 1 } });
    sch.add_task({ worker: "Y", task_id: "C", resources: { R: 1 }, priority: 10 });
    sch.add_worker("X", { workers: 2 });
    sch.add_worker("Y", { workers: 1 });
    sch.update_resources({ R: 2 });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    expect(sch.get_work({ worker: "X" }).task_id).toBeNull();
  });

  test("test_can_work_on_lower_priority_while_waiting_for_resources", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", resources: { R: 1 }, priority: 0 });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    sch.add_task({ worker: "Y", task_id: "B", resources: { R: 1 }, priority: 10 });
    sch.add_task({ worker: "Y", task_id: "C", priority: 0 });
    sch.update_resources({ R: 1 });
    expect(sch.get_work({ worker: "Y" }).task_id).toBe("C");
  });

  test("test_update_new_resource", () => {
    const sch = apiScheduler();
    expect(resourceCount(sch, "new_resource")).toBeUndefined();
    sch.update_resource("new_resource", 1);
    expect(resourceCount(sch, "new_resource")).toBe(1);
  });

  test("test_update_existing_resource", () => {
    const sch = apiScheduler();
    sch.update_resource("new_resource", 1);
    sch.update_resource("new_resource", 2);
    expect(resourceCount(sch, "new_resource")).toBe(2);
  });

  test("test_disable_existing_resource", () => {
    const sch = apiScheduler();
    sch.update_resource("new_resource", 1);
    sch.update_resource("new_resource", 0);
    expect(resourceCount(sch, "new_resource")).toBe(0);
  });

  test("test_attempt_to_set_resource_to_negative_value", () => {
    const sch = apiScheduler();
    sch.update_resource("new_resource", 1);
    expect(sch.update_resource("new_resource", -1)).toBe(false);
    expect(resourceCount(sch, "new_resource")).toBe(1);
  });

  test("test_attempt_to_set_resource_to_non_integer", () => {
    const sch = apiScheduler();
    sch.update_resource("new_resource", 1);
    expect(sch.update_resource("new_resource", 1.3)).toBe(false);
    expect(sch.update_resource("new_resource", "1")).toBe(false);
    expect(sch.update_resource("new_resource", null)).toBe(false);
    expect(resourceCount(sch, "new_resource")).toBe(1);
  });

  test("test_update_resources", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", deps: ["B"] });
    sch.add_task({ worker: WORKER, task_id: "B", resources: { r: 2 } });
    sch.update_resources({ r: 1 });
    expect(taskOrder(sch)).toEqual([null]);
    sch.add_task({ worker: WORKER, task_id: "B", resources: { r: 1 } });
    expect(taskOrder(sch)).toEqual(["B", "A", null]);
  });

  test("test_handle_multiple_resources", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", resources: { r1: 1, r2: 1 } });
    sch.add_task({ worker: WORKER, task_id: "B", resources: { r1: 1, r2: 1 } });
    sch.add_task({ worker: WORKER, task_id: "C", resources: { r1: 1 } });
    sch.update_resources({ r1: 2, r2: 1 });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    expect(taskOrder(sch)).toEqual(["C", null]);
  });

  test("test_single_resource_lock", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", resources: { r: 1 } });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    sch.add_task({ worker: WORKER, task_id: "B", resources: { r: 2 }, priority: 10 });
    sch.add_task({ worker: WORKER, task_id: "C", resources: { r: 1 } });
    sch.update_resources({ r: 2 });
    expect(taskOrder(sch)).toEqual([null]);
  });

  test("test_no_lock_if_too_many_resources_required", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", resources: { r: 2 }, priority: 10 });
    sch.add_task({ worker: WORKER, task_id: "B", resources: { r: 1 } });
    sch.update_resources({ r: 1 });
    expect(taskOrder(sch)).toEqual(["B", null]);
  });

  test("test_multiple_resources_lock", () => {
    const sch = apiScheduler();
    sch.get_work({ worker: "X" });
    sch.add_task({ worker: "X", task_id: "A", resources: { r1: 1, r2: 1 }, priority: 10 });
    sch.add_task({ worker: WORKER, task_id: "B", resources: { r2: 1 } });
    sch.add_task({ worker: WORKER, task_id: "C", resources: { r1: 1 } });
    sch.update_resources({ r1: 1, r2: 1 });
    expect(taskOrder(sch)).toEqual([null]);
  });

  test("test_multiple_resources_no_lock", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", resources: { r1: 1 }, priority: 10 });
    sch.add_task({ worker: WORKER, task_id: "B", resources: { r1: 1, r2: 1 }, priority: 10 });
    sch.add_task({ worker: WORKER, task_id: "C", resources: { r2: 1 } });
    sch.update_resources({ r1: 1, r2: 2 });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    expect(taskOrder(sch)).toEqual(["C", null]);
  });

  test("test_change_resources_on_running_task", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A1", resources: { a: 1 }, priority: 10 });
    sch.add_task({ worker: WORKER, task_id: "A2", resources: { a: 1 }, priority: 1 });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A1");
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
    sch.add_task({ worker: "other", task_id: "A1", resources: { b: 1 }, priority: 1 });
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
  });

  test("test_interleave_resource_change_and_get_work", () => {
    const sch = apiScheduler();
    for (let i = 0; i < 100; i += 1) sch.add_task({ worker: WORKER, task_id: `A${i}`, resources: { a: 1 }, priority: 100 - i });
    for (let i = 0; i < 100; i += 1) {
      sch.get_work({ worker: WORKER });
      sch.add_task({ worker: "other", task_id: `A${i}`, resources: { b: 1 }, priority: 100 - i });
    }
    expect(Object.keys(sch.task_list("RUNNING", ""))).toHaveLength(2);
  });

  test("test_allow_resource_use_while_scheduling", () => {
    const sch = apiScheduler();
    sch.update_resources({ r1: 1 });
    sch.add_task({ worker: "SCHEDULING", task_id: "A", resources: { r1: 1 }, priority: 10 });
    sch.add_task({ worker: WORKER, task_id: "B", resources: { r1: 1 }, priority: 1 });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("B");
  });

  test("test_stop_locking_resource_for_uninterested_worker", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.update_resources({ r1: 1 });
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
    sch.add_task({ worker: WORKER, task_id: "A", resources: { r1: 1 }, priority: 10 });
    sch.add_task({ worker: "LOW_PRIO", task_id: "B", resources: { r1: 1 }, priority: 1 });
    expect(sch.get_work({ worker: "LOW_PRIO" }).task_id).toBeNull();
    sch.setTime(120);
    expect(sch.get_work({ worker: "LOW_PRIO" }).task_id).toBe("B");
  });
});
