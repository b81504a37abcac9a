/**
 * Behaviours pinned by Luigi's test/scheduler_test.py that reach the
 * scheduling engine through the wire (SchedulerIoTest, SchedulerWorkerTest,
 * StableDoneCooldownSecsTest). Tests about pickle files and metrics collector
 * classes belong to the state store and ops areas. Each test is named after
 * Luigi's.
 */
import { describe, expect, test } from "bun:test";
import { LuigidError } from "../../src/lib/errors.ts";
import { Scheduler } from "./luigi-scheduler.ts";

const policy = (sch: Scheduler, id: string) => sch.engine.getTask(id)?.retryPolicy;

describe("SchedulerIoTest", () => {
  test("test_pretty_id_unicode", () => {
    const sch = new Scheduler();
    sch.add_task({ worker: "A", task_id: "1", family: "F", params: { foo: "\u2192bar" } });
    expect(sch.task_list("", "")["1"].display_name).toBe("F(foo=\u2192bar)");
  });

  test("test_generate_retry_policy (an unknown key is ignored instead of a TypeError)", () => {
    const sch = new Scheduler({ retryCount: 9, disableHardTimeout: 99, disableWindow: 999 });
    sch.add_task({ worker: "w", task_id: "A", retry_policy_dict: { inexist_attr: true } });
    expect(policy(sch, "A")).toEqual({ retryCount: 9, disableHardTimeout: 99, disableWindow: 999 });
    sch.add_task({ worker: "w", task_id: "B", retry_policy_dict: {} });
    expect(policy(sch, "B")).toEqual({ retryCount: 9, disableHardTimeout: 99, disableWindow: 999 });
    sch.add_task({ worker: "w", task_id: "C", retry_policy_dict: { retry_count: 1 } });
    expect(policy(sch, "C")).toEqual({ retryCount: 1, disableHardTimeout: 99, disableWindow: 999 });
    sch.add_task({ worker: "w", task_id: "D", retry_policy_dict: { retry_count: 1, disable_hard_timeout: 11, disable_window: 111 } });
    expect(policy(sch, "D")).toEqual({ retryCount: 1, disableHardTimeout: 11, disableWindow: 111 });
  });

  test("test_per_task_retry_policy", () => {
    const configured = { retryCount: 44, disableHardTimeout: 999999999, disableWindow: 3600 };
    const sch = new Scheduler({ retryCount: 44 });
    sch.add_task({ worker: "test_worker1", task_id: "test_task_1", deps: ["test_task_2", "test_task_3"] });
    for (const id of ["test_task_1", "test_task_2", "test_task_3"]) expect(policy(sch, id)).toEqual(configured);

    sch.add_task({
      worker: "test_worker2",
      task_id: "test_task_4",
      deps: ["test_task_5", "test_task_6"],
      retry_policy_dict: { retry_count: 99, disable_hard_timeout: 999, disable_window: 9999 },
    });
    expect(policy(sch, "test_task_4")).toEqual({ retryCount: 99, disableHardTimeout: 999, disableWindow: 9999 });
    expect(policy(sch, "test_task_5")).toEqual(configured);
    expect(policy(sch, "test_task_6")).toEqual(configured);

    sch.add_task({ worker: "test_worker3", task_id: "test_task_7", deps: ["test_task_8", "test_task_9"] });
    sch.add_task({ worker: "test_worker3", task_id: "test_task_8", retry_policy_dict: { retry_count: 99, disable_hard_timeout: 999, disable_window: 9999 } });
    sch.add_task({ worker: "test_worker3", task_id: "test_task_9", retry_policy_dict: { retry_count: 11, disable_hard_timeout: 111, disable_window: 1111 } });
    expect(policy(sch, "test_task_7")).toEqual(configured);
    expect(policy(sch, "test_task_8")).toEqual({ retryCount: 99, disableHardTimeout: 999, disableWindow: 9999 });
    expect(policy(sch, "test_task_9")).toEqual({ retryCount: 11, disableHardTimeout: 111, disableWindow: 1111 });

    // Task 9 is disabled by its 11th failure, not before. Each report re-sends its policy,
    // because the policy of the previous add_task is the one a failure is judged by.
    const task9 = { worker: "test_worker3", task_id: "test_task_9", status: "FAILED", retry_policy_dict: { retry_count: 11, disable_hard_timeout: 111, disable_window: 1111 } };
    for (let i = 0; i < 10; i += 1) sch.add_task(task9);
    expect(sch.engine.getTask("test_task_9")?.status).toBe("FAILED");
    sch.add_task(task9);
    expect(sch.engine.getTask("test_task_9")?.status).toBe("DISABLED");
  });

  test("test_has_task_history / test_has_no_task_history", () => {
    expect(new Scheduler({ recordTaskHistory: true }).call("has_task_history")).toBe(true);
    expect(new Scheduler({ recordTaskHistory: false }).call("has_task_history")).toBe(false);
  });

  test("test_pause_disabled", () => {
    const sch = new Scheduler({ pauseEnabled: false });
    expect(sch.call("is_pause_enabled").enabled).toBe(false);
    expect(sch.is_paused().paused).toBe(false);
    sch.pause();
    expect(sch.is_paused().paused).toBe(false);
  });

  test("test_update_priority_cannot_decrease", () => {
    const sch = new Scheduler();
    sch.add_task({ worker: "worker", task_id: "A", priority: 10 });
    sch.add_task({ worker: "worker", task_id: "A", priority: 3 });
    expect(sch.engine.getTask("A")?.priority).toBe(10);
  });

  test("test_add_task_with_non_numeric_priority_does_not_raise_typeerror (refused at the edge instead)", () => {
    const sch = new Scheduler();
    sch.add_task({ worker: "worker", task_id: "A" });
    expect(() => sch.add_task({ worker: "worker", task_id: "A", priority: "corrupt" })).toThrow(LuigidError);
    sch.add_task({ worker: "worker", task_id: "A", priority: 5 });
    expect(sch.engine.getTask("A")?.priority).toBe(5);
  });
});

describe("SchedulerWorkerTest", () => {
  test("test_get_pending_tasks_with_many_done_tasks", () => {
    const sch = new Scheduler();
    sch.add_task({ worker: "NON_TRIVIAL", task_id: "A", resources: { a: 1 } });
    sch.add_task({ worker: "TRIVIAL", task_id: "B", status: "PENDING" });
    sch.add_task({ worker: "TRIVIAL", task_id: "C", status: "DONE" });
    sch.add_task({ worker: "TRIVIAL", task_id: "D", status: "DONE" });
    expect(sch.count_pending("TRIVIAL").n_pending_tasks).toBe(1);
    expect(sch.count_pending("NON_TRIVIAL").n_pending_tasks).toBe(1);
    expect(sch.get_work({ worker: "TRIVIAL" }).task_id).toBe("B");
    expect(sch.get_work({ worker: "NON_TRIVIAL" }).task_id).toBe("A");
  });
});

describe("StableDoneCooldownSecsTest (at the engine: a PENDING report just after DONE)", () => {
  function secondRun(cooldown: number): string | null {
    const sch = new Scheduler({ stableDoneCooldownSecs: cooldown });
    sch.setTime(100);
    sch.add_task({ worker: "first", task_id: "AnyTask" });
    expect(sch.get_work({ worker: "first" }).task_id).toBe("AnyTask");
    // The second run checked complete() before the first finished, and reports just after.
    sch.setTime(103);
    sch.add_task({ worker: "first", task_id: "AnyTask", status: "DONE" });
    sch.setTime(104);
    sch.add_task({ worker: "second", task_id: "AnyTask", status: "PENDING" });
    return sch.get_work({ worker: "second" }).task_id;
  }

  test("test_sending_same_task_twice_with_cooldown_does_not_lead_to_double_run", () => {
    expect(secondRun(5)).toBeNull();
  });

  test("test_sending_same_task_twice_without_cooldown_leads_to_double_run", () => {
    expect(secondRun(0)).toBe("AnyTask");
  });
});
