/**
 * Behaviours pinned by Luigi's test/scheduler_api_test.py (SchedulerApiTest):
 * dependencies, retries, re-sends, tracking URLs, timestamps, assistants,
 * pruning, count_pending, priorities, disabling, pause, disabled workers,
 * forgiving and marking done. Each test is named after Luigi's.
 */
import { describe, expect, test } from "bun:test";
import { apiScheduler, Scheduler, taskOrder, WORKER } from "./luigi-scheduler.ts";

const REMOVE_DELAY = 1000;

describe("SchedulerApiTest: dependencies and workers", () => {
  test("test_dep", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "B", deps: ["A"] });
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.add_task({ worker: WORKER, task_id: "A", status: "DONE" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("B");
    sch.add_task({ worker: WORKER, task_id: "B", status: "DONE" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
  });

  test("test_failed_dep", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "B", deps: ["A"] });
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
    sch.add_task({ worker: WORKER, task_id: "A", status: "DONE" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("B");
    sch.add_task({ worker: WORKER, task_id: "B", status: "DONE" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
  });

  test("test_broken_dep", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "B", deps: ["A"] });
    sch.add_task({ worker: WORKER, task_id: "A", runnable: false });
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
    sch.add_task({ worker: WORKER, task_id: "A", status: "DONE" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("B");
    sch.add_task({ worker: WORKER, task_id: "B", status: "DONE" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
  });

  test("test_two_workers", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A" });
    sch.add_task({ worker: "Y", task_id: "A" });
    sch.add_task({ task_id: "B", deps: ["A"], worker: "X" });
    sch.add_task({ task_id: "C", deps: ["A"], worker: "Y" });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    expect(sch.get_work({ worker: "Y" }).task_id).toBeNull();
    sch.add_task({ worker: "X", task_id: "A", status: "DONE" });
    expect(sch.get_work({ worker: "Y" }).task_id).toBe("C");
    expect(sch.get_work({ worker: "X" }).task_id).toBe("B");
  });

  test("test_status_wont_override", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A" });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    sch.add_task({ worker: "Y", task_id: "A", status: "UNKNOWN" });
    expect(sch.ids("RUNNING", "")).toEqual(new Set(["A"]));
  });

  test("test_retry", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    for (let t = 0; t < 100; t += 1) {
      sch.setTime(t);
      expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
      sch.ping({ worker: WORKER });
      if (t % 10 === 0) sch.prune();
    }
    sch.setTime(101);
    sch.prune();
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
  });

  test("test_resend_task", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.add_task({ worker: WORKER, task_id: "B" });
    for (let i = 0; i < 10; i += 1) expect(sch.get_work({ worker: WORKER, current_tasks: [] }).task_id).toBe("A");
    expect(sch.get_work({ worker: WORKER, current_tasks: ["A"] }).task_id).toBe("B");
  });

  test("test_resend_multiple_tasks", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.add_task({ worker: WORKER, task_id: "B" });
    sch.add_task({ worker: WORKER, task_id: "C" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("B");
    for (let i = 0; i < 10; i += 1) {
      expect(sch.get_work({ worker: WORKER, current_tasks: [] }).task_id).toBe("A");
      expect(sch.get_work({ worker: WORKER, current_tasks: ["B"] }).task_id).toBe("A");
      expect(sch.get_work({ worker: WORKER, current_tasks: ["A"] }).task_id).toBe("B");
      expect(sch.get_work({ worker: WORKER, current_tasks: ["A", "B"] }).task_id).toBe("C");
    }
  });

  test("test_disconnect_running", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ task_id: "A", worker: "X" });
    sch.add_task({ task_id: "A", worker: "Y" });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    for (let t = 0; t < 200; t += 1) {
      sch.setTime(t);
      sch.ping({ worker: "Y" });
      if (t % 10 === 0) sch.prune();
    }
    expect(sch.get_work({ worker: "Y" }).task_id).toBe("A");
  });

  test("test_remove_dep", () => {
    const sch = apiScheduler();
    sch.add_task({ task_id: "A", worker: "X", runnable: false });
    sch.add_task({ task_id: "B", deps: ["A"], worker: "X" });
    expect(sch.get_work({ worker: "X" }).task_id).toBeNull();
    sch.add_task({ task_id: "B", deps: ["C"], worker: "Y" });
    sch.add_task({ task_id: "C", worker: "Y", status: "DONE" });
    expect(sch.get_work({ worker: "Y" }).task_id).toBe("B");
  });

  test("test_timeout", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ task_id: "A", worker: "X" });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    sch.setTime(10000);
    sch.add_task({ task_id: "A", worker: "Y" });
    for (let i = 0; i < 2000; i += 1) {
      sch.setTime(10000 + i);
      sch.ping({ worker: "Y" });
    }
    expect(() => sch.add_task({ task_id: "A", status: "DONE", worker: "Y" })).not.toThrow();
  });

  test("test_disallowed_state_changes", () => {
    const sch = apiScheduler();
    sch.add_task({ task_id: "A", worker: "X" });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    sch.add_task({ task_id: "A", worker: "Y" });
    expect(sch.get_work({ worker: "Y" }).task_id).toBeNull();
  });

  test("test_two_worker_info", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A" });
    sch.add_task({ worker: "Y", task_id: "A" });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    const reply = sch.get_work({ worker: "Y" });
    expect(reply.task_id).toBeNull();
    expect(reply.running_tasks[0]).toMatchObject({ task_id: "A", worker: "X" });
  });

  test("test_unique_tasks", () => {
    const sch = apiScheduler();
    for (const id of ["A", "B", "C"]) sch.add_task({ worker: WORKER, task_id: id });
    sch.add_task({ worker: `${WORKER}_2`, task_id: "B" });
    const reply = sch.get_work({ worker: WORKER });
    expect(reply.n_pending_tasks).toBe(3);
    expect(reply.n_unique_pending).toBe(2);
  });

  test("test_pending_downstream_disable", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", status: "DISABLED" });
    sch.add_task({ worker: WORKER, task_id: "B", deps: ["A"] });
    sch.add_task({ worker: WORKER, task_id: "C", deps: ["B"] });
    const reply = sch.get_work({ worker: WORKER });
    expect(reply.task_id).toBeNull();
    expect(reply.n_pending_tasks).toBe(0);
    expect(reply.n_unique_pending).toBe(0);
  });

  test("test_pending_downstream_failure", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    sch.add_task({ worker: WORKER, task_id: "B", deps: ["A"] });
    sch.add_task({ worker: WORKER, task_id: "C", deps: ["B"] });
    const reply = sch.get_work({ worker: WORKER });
    expect(reply.task_id).toBeNull();
    expect(reply.n_pending_tasks).toBe(2);
    expect(reply.n_unique_pending).toBe(2);
  });
});

describe("SchedulerApiTest: tracking URLs and timestamps", () => {
  test("test_do_not_overwrite_tracking_url_while_running", () => {
    const sch = apiScheduler();
    sch.add_task({ task_id: "A", worker: "X", status: "RUNNING", tracking_url: "trackme" });
    expect(sch.task_list("RUNNING", "").A.tracking_url).toBe("trackme");
    sch.add_task({ task_id: "A", worker: "Y", status: "PENDING" });
    expect(sch.task_list("RUNNING", "").A.tracking_url).toBe("trackme");
  });

  test("test_do_update_tracking_url_while_running", () => {
    const sch = apiScheduler();
    sch.add_task({ task_id: "A", worker: "X", status: "RUNNING", tracking_url: "trackme" });
    expect(sch.task_list("RUNNING", "").A.tracking_url).toBe("trackme");
    sch.add_task({ task_id: "A", worker: "X", status: "RUNNING", tracking_url: "stage_2" });
    expect(sch.task_list("RUNNING", "").A.tracking_url).toBe("stage_2");
  });

  test("test_keep_tracking_url_on_done_and_fail", () => {
    const sch = apiScheduler();
    for (const status of ["DONE", "FAILED"]) {
      sch.add_task({ task_id: "A", worker: "X", status: "RUNNING", tracking_url: "trackme" });
      expect(sch.task_list("RUNNING", "").A.tracking_url).toBe("trackme");
      sch.add_task({ task_id: "A", worker: "X", status });
      expect(sch.task_list(status, "").A.tracking_url).toBe("trackme");
    }
  });

  test("test_drop_tracking_url_when_rescheduled_while_not_running", () => {
    const sch = apiScheduler();
    for (const status of ["DONE", "FAILED", "PENDING"]) {
      sch.add_task({ task_id: "A", worker: "X", status, tracking_url: "trackme" });
      expect(sch.task_list(status, "").A.tracking_url).toBe("trackme");
      sch.add_task({ task_id: "A", worker: "Y", status: "PENDING" });
      expect(sch.task_list("PENDING", "").A.tracking_url).toBeNull();
    }
  });

  test("test_reset_tracking_url_on_new_run", () => {
    const sch = apiScheduler();
    sch.add_task({ task_id: "A", worker: "X", status: "PENDING", tracking_url: "trackme" });
    expect(sch.task_list("PENDING", "").A.tracking_url).toBe("trackme");
    sch.add_task({ task_id: "A", worker: "Y", status: "RUNNING" });
    expect(sch.task_list("RUNNING", "").A.tracking_url).toBeNull();
  });

  test("test_start_time", () => {
    const sch = apiScheduler();
    sch.setTime(100);
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.setTime(200);
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.add_task({ worker: WORKER, task_id: "A", status: "DONE" });
    expect(sch.task_list("DONE", "").A.start_time).toBe(100);
  });

  test("test_last_updated_does_not_change_with_same_status_update", () => {
    const sch = apiScheduler();
    for (const [t, status] of [[100, "PENDING"], [300, "DONE"], [500, "DISABLED"]] as const) {
      sch.setTime(t);
      sch.add_task({ worker: WORKER, task_id: "A", status });
      expect(sch.task_list(status, "").A.last_updated).toBe(t);
      sch.setTime(t + 100);
      sch.add_task({ worker: WORKER, task_id: "A", status });
      expect(sch.task_list(status, "").A.last_updated).toBe(t);
    }
  });

  test("test_last_updated_shows_running_start", () => {
    const sch = apiScheduler();
    sch.setTime(100);
    sch.add_task({ worker: WORKER, task_id: "A", status: "PENDING" });
    expect(sch.task_list("PENDING", "").A.last_updated).toBe(100);
    sch.setTime(200);
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    expect(sch.task_list("RUNNING", "").A.last_updated).toBe(200);
    sch.setTime(300);
    sch.add_task({ worker: WORKER, task_id: "A", status: "PENDING" });
    expect(sch.task_list("RUNNING", "").A.last_updated).toBe(200);
  });

  test("test_last_updated_with_failure_and_recovery", () => {
    const sch = apiScheduler();
    sch.setTime(100);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.setTime(200);
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    expect(sch.task_list("FAILED", "").A.last_updated).toBe(200);
    sch.setTime(1000);
    sch.prune();
    expect(sch.task_list("PENDING", "").A.last_updated).toBe(1000);
  });
});

describe("SchedulerApiTest: assistants and pruning", () => {
  test("test_assistant_get_work", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A" });
    sch.add_worker("Y", []);
    expect(sch.get_work({ worker: "Y", assistant: true }).task_id).toBe("A");
    const running = sch.task_list("RUNNING", "");
    expect(Object.keys(running)).toEqual(["A"]);
    expect(running.A.worker_running).toBe("Y");
  });

  test("test_assistant_get_work_external_task", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", runnable: false });
    expect(sch.get_work({ worker: "Y", assistant: true }).task_id).toBeNull();
  });

  test("test_task_fails_when_assistant_dies", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ worker: "X", task_id: "A" });
    sch.add_worker("Y", []);
    expect(sch.get_work({ worker: "Y", assistant: true }).task_id).toBe("A");
    expect(Object.keys(sch.task_list("RUNNING", ""))).toEqual(["A"]);
    sch.setTime(50);
    sch.ping({ worker: "X" });
    expect(Object.keys(sch.task_list("FAILED", ""))).toEqual(["A"]);
  });

  test("test_prune_with_live_assistant", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ worker: "X", task_id: "A" });
    sch.get_work({ worker: "Y", assistant: true });
    sch.add_task({ worker: "Y", task_id: "A", status: "DONE", assistant: true });
    sch.setTime(600);
    sch.ping({ worker: "Y" });
    sch.prune();
    sch.setTime(2000);
    sch.prune();
    expect(Object.keys(sch.task_list("", ""))).toEqual([]);
  });

  test("test_re_enable_failed_task_assistant", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_worker("X", [["assistant", true]]);
    sch.add_task({ worker: "X", task_id: "A", status: "FAILED", assistant: true });
    expect(sch.task_list("", "").A.status).toBe("FAILED");
    sch.setTime(101);
    sch.ping({ worker: "X" });
    expect(sch.task_list("", "").A.status).toBe("PENDING");
  });

  test("test_assistant_doesnt_keep_alive_task", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ worker: "X", task_id: "A" });
    expect(sch.get_work({ worker: "X" }).task_id).toBe("A");
    sch.add_worker("Y", { assistant: true });
    const removeDelay = REMOVE_DELAY + 1;
    sch.setTime(removeDelay);
    sch.ping({ worker: "Y" });
    sch.prune();
    expect(Object.keys(sch.task_list("FAILED", ""))).toEqual(["A"]);
    expect(Object.keys(sch.task_list("", ""))).toEqual(["A"]);
    sch.setTime(2 * removeDelay);
    sch.ping({ worker: "Y" });
    sch.prune();
    expect(Object.keys(sch.task_list("", ""))).toEqual([]);
  });

  test("test_assistant_request_runnable_task", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ worker: "X", task_id: "A", runnable: true });
    sch.setTime(600);
    sch.prune();
    expect(sch.get_work({ worker: "Y", assistant: true }).task_id).toBe("A");
  });

  test("test_assistant_request_external_task", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: "X", task_id: "A", runnable: false });
    expect(sch.get_work({ worker: "Y", assistant: true }).task_id).toBeNull();
  });

  function pruneDoneTasks(sch: Scheduler): Set<string> {
    sch.setTime(0);
    sch.add_task({ worker: WORKER, task_id: "A", status: "DONE" });
    sch.add_task({ worker: WORKER, task_id: "B", deps: ["A"], status: "DONE" });
    sch.add_task({ worker: WORKER, task_id: "C", deps: ["B"] });
    sch.setTime(600);
    sch.ping({ worker: "MAYBE_ASSITANT" });
    sch.prune();
    sch.setTime(2000);
    sch.ping({ worker: "MAYBE_ASSITANT" });
    sch.prune();
    return sch.ids("", "");
  }

  test("test_prune_done_tasks_not_assistant", () => {
    expect(pruneDoneTasks(apiScheduler())).toEqual(new Set());
  });

  test("test_keep_tasks_for_assistant", () => {
    const sch = apiScheduler();
    sch.get_work({ worker: "MAYBE_ASSITANT", assistant: true });
    expect(pruneDoneTasks(sch)).toEqual(new Set());
  });

  test("test_keep_scheduler_disabled_tasks_for_assistant", () => {
    const sch = apiScheduler();
    sch.get_work({ worker: "MAYBE_ASSITANT", assistant: true });
    for (let i = 0; i < 10; i += 1) sch.add_task({ worker: WORKER, task_id: "D", status: "FAILED" });
    sch.add_task({ worker: WORKER, task_id: "E", status: "DISABLED" });
    expect(sch.ids("DISABLED", "")).toEqual(new Set(["D", "E"]));
    expect(pruneDoneTasks(sch)).toEqual(new Set());
  });

  test("test_keep_failed_tasks_for_assistant", () => {
    const sch = apiScheduler();
    sch.get_work({ worker: "MAYBE_ASSITANT", assistant: true });
    sch.add_task({ worker: WORKER, task_id: "D", status: "FAILED", deps: ["A"] });
    expect(pruneDoneTasks(sch)).toEqual(new Set());
  });

  test("test_prune_worker", () => {
    const sch = apiScheduler();
    sch.setTime(1);
    sch.add_worker(WORKER, {});
    sch.setTime(10000);
    sch.prune();
    sch.setTime(20000);
    sch.prune();
    expect(sch.worker_list()).toEqual([]);
  });

  test("test_assistants_dont_nurture_finished_statuses", () => {
    const sch = new Scheduler({ retryDelay: 100000000000 });
    sch.setTime(1);
    sch.add_worker("assistant", [["assistant", true]]);
    sch.ping({ worker: "assistant" });
    sch.add_task({ worker: "uploader", task_id: "running", status: "PENDING" });
    expect(sch.get_work({ worker: "assistant", assistant: true }).task_id).toBe("running");
    sch.setTime(2);
    for (const status of ["DONE", "DISABLED", "PENDING", "FAILED", "UNKNOWN"]) {
      sch.add_task({ worker: "uploader", task_id: status.toLowerCase(), status });
    }
    sch.setTime(100000);
    sch.ping({ worker: "assistant" });
    sch.prune();
    sch.setTime(200000);
    sch.ping({ worker: "assistant" });
    sch.prune();
    expect(sch.ids("RUNNING", "")).toEqual(new Set(["running"]));
    for (const status of ["DONE", "UNKNOWN", "DISABLED", "PENDING", "FAILED"]) expect(sch.ids(status, "")).toEqual(new Set());
    expect(Object.keys(sch.task_list(null, ""))).toHaveLength(1);
  });

  test("test_no_crash_on_only_disable_hard_timeout", () => {
    const sch = new Scheduler({ retryDelay: 5, disableHardTimeout: 100 });
    sch.setTime(1);
    sch.add_worker(WORKER, []);
    sch.ping({ worker: WORKER });
    sch.setTime(2);
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.add_task({ worker: WORKER, task_id: "B", deps: ["A"] });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    sch.setTime(10);
    sch.prune();
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
  });

  test("test_assistant_running_task_dont_disappear", () => {
    const sch = apiScheduler();
    sch.setTime(1);
    sch.add_worker(WORKER, []);
    sch.ping({ worker: WORKER });
    sch.setTime(2);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.add_task({ worker: WORKER, task_id: "B" });
    sch.add_worker("assistant", [["assistant", true]]);
    sch.ping({ worker: "assistant" });
    expect(sch.get_work({ worker: "assistant", assistant: true }).task_id).toBe("B");
    sch.setTime(100000);
    sch.ping({ worker: "assistant" });
    sch.prune();
    sch.setTime(200000);
    sch.ping({ worker: "assistant" });
    sch.prune();
    expect(sch.ids("RUNNING", "")).toEqual(new Set(["B"]));
    expect(sch.ids("", "")).toEqual(new Set(["B"]));
  });
});

describe("SchedulerApiTest: count_pending", () => {
  const counts = (pending: number, unique: number, last: number, state = "active", running: unknown[] = []) => ({
    n_pending_tasks: pending,
    n_unique_pending: unique,
    n_pending_last_scheduled: last,
    running_tasks: running,
    worker_state: state,
  });

  test("test_count_pending", () => {
    const sch = apiScheduler();
    for (let n = 1; n < 20; n += 1) {
      sch.add_task({ worker: WORKER, task_id: String(n), status: "PENDING" });
      expect(sch.count_pending(WORKER)).toEqual(counts(n, n, n));
    }
  });

  test("test_count_pending_include_failures", () => {
    const sch = apiScheduler();
    for (let n = 1; n < 20; n += 1) {
      sch.add_task({ worker: WORKER, task_id: String(n), status: "PENDING" });
      sch.add_task({ worker: WORKER, task_id: String(n), status: "FAILED" });
      expect(sch.count_pending(WORKER)).toEqual(counts(n, n, n));
    }
  });

  test("test_count_pending_do_not_include_done_or_disabled", () => {
    const sch = apiScheduler();
    for (let n = 1; n < 20; n += 2) {
      sch.add_task({ worker: WORKER, task_id: String(n), status: "PENDING" });
      sch.add_task({ worker: WORKER, task_id: String(n + 1), status: "PENDING" });
      sch.add_task({ worker: WORKER, task_id: String(n), status: "DONE" });
      sch.add_task({ worker: WORKER, task_id: String(n + 1), status: "DISABLED" });
    }
    expect(sch.count_pending(WORKER)).toEqual(counts(0, 0, 0));
  });

  test("test_count_pending_on_disabled_worker", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.add_task({ worker: "other", task_id: "B" });
    expect(sch.count_pending(WORKER).n_pending_tasks).toBe(1);
    sch.disable_worker(WORKER);
    expect(sch.count_pending(WORKER).n_pending_tasks).toBe(0);
  });

  test("test_count_pending_do_not_count_upstream_disabled", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", status: "PENDING" });
    sch.add_task({ worker: WORKER, task_id: "B", status: "DISABLED" });
    sch.add_task({ worker: WORKER, task_id: "C", status: "PENDING", deps: ["A", "B"] });
    expect(sch.count_pending(WORKER)).toEqual(counts(1, 1, 1));
  });

  test("test_count_pending_count_upstream_failed", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", status: "PENDING" });
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    sch.add_task({ worker: WORKER, task_id: "B", status: "PENDING", deps: ["A"] });
    expect(sch.count_pending(WORKER)).toEqual(counts(2, 2, 2));
  });

  test("test_count_pending_missing_worker", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", status: "PENDING" });
    expect(sch.count_pending("other_worker")).toEqual(counts(0, 0, 0));
  });

  test("test_count_pending_uniques", () => {
    const sch = apiScheduler();
    for (const id of ["A", "B", "C"]) sch.add_task({ worker: WORKER, task_id: id, status: "PENDING" });
    sch.add_task({ worker: "other_worker", task_id: "A", status: "PENDING" });
    expect(sch.count_pending(WORKER)).toEqual(counts(3, 2, 2));
  });

  test("test_count_pending_last_scheduled", () => {
    const sch = apiScheduler();
    for (const id of ["A", "B", "C"]) sch.add_task({ worker: WORKER, task_id: id, status: "PENDING" });
    for (const id of ["A", "B", "C"]) sch.add_task({ worker: "other_worker", task_id: id, status: "PENDING" });
    expect(sch.count_pending(WORKER)).toEqual(counts(3, 0, 0));
    expect(sch.count_pending("other_worker")).toEqual(counts(3, 0, 3));
  });

  test("test_count_pending_disabled_worker", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", status: "PENDING" });
    expect(sch.count_pending(WORKER)).toEqual(counts(1, 1, 1));
    sch.disable_worker(WORKER);
    expect(sch.count_pending(WORKER)).toEqual(counts(0, 0, 0, "disabled"));
  });

  test("test_count_pending_running_tasks", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", status: "PENDING" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    expect(sch.count_pending(WORKER)).toEqual(counts(0, 0, 0, "active", [{ task_id: "A", worker: "myworker" }]));
  });
});

describe("SchedulerApiTest: priorities", () => {
  test("test_priorities", () => {
    const sch = apiScheduler();
    for (const [id, priority] of [["A", 10], ["B", 5], ["C", 15], ["D", 9]] as const) sch.add_task({ worker: WORKER, task_id: id, priority });
    expect(taskOrder(sch)).toEqual(["C", "A", "D", "B", null]);
  });

  test("test_priorities_default_and_negative", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", priority: 10 });
    sch.add_task({ worker: WORKER, task_id: "B" });
    sch.add_task({ worker: WORKER, task_id: "C", priority: 15 });
    sch.add_task({ worker: WORKER, task_id: "D", priority: -20 });
    sch.add_task({ worker: WORKER, task_id: "E", priority: 1 });
    expect(taskOrder(sch)).toEqual(["C", "A", "E", "B", "D", null]);
  });

  test("test_priorities_and_dependencies", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", deps: ["Z"], priority: 10 });
    sch.add_task({ worker: WORKER, task_id: "B", priority: 5 });
    sch.add_task({ worker: WORKER, task_id: "C", deps: ["Z"], priority: 3 });
    sch.add_task({ worker: WORKER, task_id: "D", priority: 2 });
    sch.add_task({ worker: WORKER, task_id: "Z", priority: 1 });
    expect(taskOrder(sch)).toEqual(["Z", "A", "B", "C", "D", null]);
  });

  test("test_priority_update_dependency_after_scheduling", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", priority: 1 });
    sch.add_task({ worker: WORKER, task_id: "B", priority: 5, deps: ["A"] });
    sch.add_task({ worker: WORKER, task_id: "C", priority: 10, deps: ["B"] });
    sch.add_task({ worker: WORKER, task_id: "D", priority: 6 });
    expect(taskOrder(sch)).toEqual(["A", "B", "C", "D", null]);
  });

  test("test_priority_update_with_pruning", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ task_id: "A", worker: "X" });
    sch.setTime(50);
    sch.prune();
    sch.add_task({ task_id: "B", deps: ["A"], worker: "X" });
    sch.setTime(2000);
    sch.prune();
    sch.add_task({ worker: WORKER, task_id: "C", deps: ["B"], priority: 100 });
    sch.add_task({ worker: WORKER, task_id: "B", deps: ["A"] });
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.add_task({ worker: WORKER, task_id: "D", priority: 10 });
    expect(taskOrder(sch)).toEqual(["A", "B", "C", "D", null]);
  });

  test("test_priority_update_dependency_chain", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", priority: 10, deps: ["B"] });
    sch.add_task({ worker: WORKER, task_id: "B", priority: 5, deps: ["C"] });
    sch.add_task({ worker: WORKER, task_id: "C", priority: 1 });
    sch.add_task({ worker: WORKER, task_id: "D", priority: 6 });
    expect(taskOrder(sch)).toEqual(["C", "B", "A", "D", null]);
  });

  test("test_priority_no_decrease_with_multiple_updates", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", priority: 1 });
    sch.add_task({ worker: WORKER, task_id: "B", priority: 10, deps: ["A"] });
    sch.add_task({ worker: WORKER, task_id: "C", priority: 5, deps: ["A"] });
    sch.add_task({ worker: WORKER, task_id: "D", priority: 6 });
    expect(taskOrder(sch)).toEqual(["A", "B", "D", "C", null]);
  });

  test("test_add_task_priority_not_decreased_by_subsequent_add", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", priority: 10 });
    sch.add_task({ worker: WORKER, task_id: "A", priority: 3 });
    expect(sch.task_list("PENDING", "").A.priority).toBe(10);
  });
});

describe("SchedulerApiTest: disabling", () => {
  function failThreeTimes(sch: Scheduler): void {
    sch.add_task({ worker: WORKER, task_id: "A" });
    for (let i = 0; i < 3; i += 1) sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
  }

  test("test_disable", () => {
    const sch = apiScheduler();
    failThreeTimes(sch);
    expect(Object.keys(sch.task_list("DISABLED", ""))).toHaveLength(1);
    expect(Object.keys(sch.task_list("FAILED", ""))).toHaveLength(0);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
  });

  test("test_disable_and_reenable", () => {
    const sch = apiScheduler();
    failThreeTimes(sch);
    expect(Object.keys(sch.task_list("DISABLED", ""))).toHaveLength(1);
    sch.re_enable_task("A");
    expect(Object.keys(sch.task_list("DISABLED", ""))).toHaveLength(0);
    expect(Object.keys(sch.task_list("FAILED", ""))).toHaveLength(1);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
  });

  test("test_disable_and_reenable_and_disable_again", () => {
    const sch = apiScheduler();
    failThreeTimes(sch);
    sch.re_enable_task("A");
    expect(Object.keys(sch.task_list("FAILED", ""))).toHaveLength(1);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    expect(Object.keys(sch.task_list("DISABLED", ""))).toHaveLength(0);
    expect(Object.keys(sch.task_list("FAILED", ""))).toHaveLength(1);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    expect(Object.keys(sch.task_list("DISABLED", ""))).toHaveLength(1);
    expect(Object.keys(sch.task_list("FAILED", ""))).toHaveLength(0);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
  });

  test("test_disable_and_done", () => {
    const sch = apiScheduler();
    failThreeTimes(sch);
    expect(Object.keys(sch.task_list("DISABLED", ""))).toHaveLength(1);
    sch.add_task({ worker: WORKER, task_id: "A", status: "DONE" });
    expect(Object.keys(sch.task_list("DISABLED", ""))).toHaveLength(0);
    expect(Object.keys(sch.task_list("DONE", ""))).toHaveLength(1);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
  });

  test("test_automatic_re_enable", () => {
    const sch = new Scheduler({ retryCount: 2, disablePersist: 100 });
    sch.setTime(0);
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    expect(sch.task_list("", "").A.status).toBe("DISABLED");
    sch.setTime(101);
    expect(sch.task_list("", "").A.status).toBe("FAILED");
  });

  test("test_automatic_re_enable_with_one_failure_allowed", () => {
    const sch = new Scheduler({ retryCount: 1, disablePersist: 100 });
    sch.setTime(0);
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    expect(sch.task_list("", "").A.status).toBe("DISABLED");
    sch.setTime(101);
    expect(sch.task_list("", "").A.status).toBe("FAILED");
  });

  test("test_no_automatic_re_enable_after_manual_disable", () => {
    const sch = new Scheduler({ disablePersist: 100 });
    sch.setTime(0);
    sch.add_task({ worker: WORKER, task_id: "A", status: "DISABLED" });
    expect(sch.task_list("", "").A.status).toBe("DISABLED");
    sch.setTime(101);
    expect(sch.task_list("", "").A.status).toBe("DISABLED");
  });

  test("test_no_automatic_re_enable_after_auto_then_manual_disable", () => {
    const sch = new Scheduler({ retryCount: 2, disablePersist: 100 });
    sch.setTime(0);
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    expect(sch.task_list("", "").A.status).toBe("DISABLED");
    sch.add_task({ worker: WORKER, task_id: "A", status: "DISABLED" });
    expect(sch.task_list("", "").A.status).toBe("DISABLED");
    sch.setTime(101);
    expect(sch.task_list("", "").A.status).toBe("DISABLED");
  });

  test("test_disable_by_worker", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A", status: "DISABLED" });
    expect(Object.keys(sch.task_list("DISABLED", ""))).toHaveLength(1);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(Object.keys(sch.task_list("DISABLED", ""))).toHaveLength(0);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
  });

  test("test_task_first_failure_time and test_task_first_failure_time_remains_constant", () => {
    const sch = apiScheduler();
    sch.setTime(10);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.engine.getTask("A")!.firstFailureTime).toBeNull();
    sch.setTime(20);
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    expect(sch.engine.getTask("A")!.firstFailureTime).toBe(20);
    sch.setTime(25);
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    expect(sch.engine.getTask("A")!.firstFailureTime).toBe(20);
  });

  test("test_task_has_excessive_failures (past disable_hard_timeout since the first failure)", () => {
    const sch = new Scheduler({ disableHardTimeout: 60 * 60 });
    // Not 0: Luigi (and we) treat a first_failure_time of 0 as unset.
    sch.setTime(10);
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    expect(sch.task_list("", "").A.status).toBe("FAILED");
    sch.setTime(10 + 2 * 60 * 60);
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    expect(sch.task_list("", "").A.status).toBe("DISABLED");
  });
});

describe("SchedulerApiTest: pause, disabled workers, forgive, mark as done", () => {
  test("test_pause_work", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.pause();
    expect(sch.get_work({ worker: WORKER })).toEqual({
      n_pending_last_scheduled: 1,
      n_unique_pending: 1,
      n_pending_tasks: 1,
      running_tasks: [],
      task_id: null,
      worker_state: "active",
    });
    sch.unpause();
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
  });

  test("test_is_paused", () => {
    const sch = apiScheduler();
    expect(sch.is_paused().paused).toBe(false);
    sch.pause();
    expect(sch.is_paused().paused).toBe(true);
    sch.unpause();
    expect(sch.is_paused().paused).toBe(false);
  });

  test("test_disable_worker", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.disable_worker(WORKER);
    const work = sch.get_work({ worker: WORKER });
    expect(work.n_unique_pending).toBe(0);
    expect(work.n_pending_tasks).toBe(0);
    expect(work.task_id).toBeNull();
  });

  test("test_disable_worker_leaves_jobs_running", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.get_work({ worker: WORKER });
    sch.disable_worker(WORKER);
    expect(Object.keys(sch.task_list("RUNNING", ""))).toEqual(["A"]);
    expect(Object.keys(sch.worker_list()[0].running)).toEqual(["A"]);
  });

  test("test_disable_worker_cannot_pick_up_failed_jobs", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.get_work({ worker: WORKER });
    sch.disable_worker(WORKER);
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    sch.setTime(1000);
    sch.ping({ worker: WORKER });
    sch.prune();
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
    sch.add_task({ worker: "other_worker", task_id: "B" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
  });

  test("test_disable_worker_cannot_continue_scheduling", () => {
    const sch = apiScheduler();
    sch.disable_worker(WORKER);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
  });

  test("test_disable_worker_cannot_add_tasks", () => {
    const sch = apiScheduler();
    sch.disable_worker(WORKER);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: "assistant", assistant: true }).task_id).toBeNull();
    sch.add_task({ worker: "third_enabled_worker", task_id: "A" });
    expect(sch.get_work({ worker: "assistant", assistant: true }).task_id).not.toBeNull();
  });

  function disabledWorkerFinishes(status: string, newDeps: string[]): void {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.disable_worker(WORKER);
    expect(Object.keys(sch.task_list("RUNNING", ""))).toEqual(["A"]);
    for (const dep of newDeps) sch.add_task({ worker: WORKER, task_id: dep, status: "PENDING" });
    sch.add_task({ worker: WORKER, task_id: "A", status, new_deps: newDeps });
    expect(Object.keys(sch.task_list("RUNNING", ""))).toEqual([]);
    expect(Object.keys(sch.task_list(status, ""))).toEqual(["A"]);
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
    for (const task of Object.values(sch.task_list("", ""))) expect(task.workers).toEqual([]);
  }

  test("test_disable_worker_can_finish_task", () => disabledWorkerFinishes("DONE", []));
  test("test_disable_worker_can_fail_task", () => disabledWorkerFinishes("FAILED", []));
  test("test_disable_worker_stays_disabled_on_new_deps", () => disabledWorkerFinishes("PENDING", ["B", "C"]));

  test("test_disable_worker_assistant_gets_no_task", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ worker: WORKER, task_id: "A" });
    sch.add_worker("assistant", [["assistant", true]]);
    sch.ping({ worker: "assistant" });
    sch.disable_worker("assistant");
    expect(sch.get_work({ worker: "assistant", assistant: true }).task_id).toBeNull();
    expect(sch.get_work({ worker: WORKER }).task_id).not.toBeNull();
  });

  /** A runs at t=0 and fails; at t=1 it is not handed out again (retry_delay is 100). */
  function failedAtZero(): Scheduler {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    sch.setTime(1);
    expect(sch.get_work({ worker: WORKER }).task_id).toBeNull();
    return sch;
  }

  test.each([["test_forgive_failures", 1], ["test_you_can_forgive_failures_twice", 2]])("%s", (_name, times) => {
    const sch = failedAtZero();
    sch.setTime(2);
    for (let i = 0; i < times; i += 1) sch.forgive_failures("A");
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
  });

  test("test_mark_running_as_done_works", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.setTime(1);
    expect(sch.ids("RUNNING", "")).toEqual(new Set(["A"]));
    sch.mark_as_done("A");
    expect(sch.ids("DONE", "")).toEqual(new Set(["A"]));
  });

  test("test_mark_failed_as_done_works", () => {
    const sch = apiScheduler();
    sch.setTime(0);
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect(sch.get_work({ worker: WORKER }).task_id).toBe("A");
    sch.add_task({ worker: WORKER, task_id: "A", status: "FAILED" });
    sch.setTime(1);
    expect(sch.ids("RUNNING", "")).toEqual(new Set());
    expect(sch.ids("FAILED", "")).toEqual(new Set(["A"]));
    sch.mark_as_done("A");
    expect(sch.ids("DONE", "")).toEqual(new Set(["A"]));
  });
});

describe("SchedulerApiTest: scale (correctness only; speed lives in scripts/bench)", () => {
  test("test_quadratic_behavior", () => {
    const sch = apiScheduler();
    const n = 2000;
    for (let i = 0; i < n; i += 1) sch.add_task({ worker: String(i), task_id: String(i), resources: {} });
    for (let i = 0; i < n; i += 1) {
      expect(sch.get_work({ worker: String(i) }).task_id).toBe(String(i));
      sch.add_task({ worker: String(i), task_id: String(i), status: "DONE" });
    }
  });

  test("test_get_work_speed", () => {
    const sch = apiScheduler();
    const pending = 200;
    const done = 20_000;
    for (let i = 0; i < pending; i += 1) sch.add_task({ worker: WORKER, task_id: String(i), resources: {} });
    for (let i = pending; i < done; i += 1) sch.add_task({ worker: WORKER, task_id: String(i), status: "DONE" });
    const seen = new Set<number>();
    for (let i = 0; i < pending; i += 1) {
      const id = Number(sch.get_work({ worker: WORKER }).task_id);
      expect(id >= 0 && id < pending && !seen.has(id)).toBe(true);
      seen.add(id);
      sch.add_task({ worker: WORKER, task_id: String(id), status: "DONE" });
    }
  });
});
