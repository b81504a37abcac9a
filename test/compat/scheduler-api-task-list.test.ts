/**
 * task_list behaviours pinned by Luigi's test/scheduler_api_test.py
 * (SchedulerApiTest): the max_shown_tasks cap, search, no deps in listings.
 * Each test is named after Luigi's.
 */
import { describe, expect, test } from "bun:test";
import { apiScheduler, Scheduler, WORKER } from "./luigi-scheduler.ts";

/** SchedulerApiTest.add_task(family, **params): an unhelpful task id, so search can't match it. */
function addTask(sch: Scheduler, family: string, params: Record<string, string> = {}): string {
  const taskId = `id-${Bun.hash(`${family}${JSON.stringify(params)}`)}`;
  sch.add_task({ worker: WORKER, family, params, task_id: taskId });
  return taskId;
}

function searchPending(sch: Scheduler, term: string): Set<string> {
  return sch.ids("PENDING", "", { search: term });
}

describe("SchedulerApiTest: task_list", () => {
  test("test_task_list_beyond_limit", () => {
    const sch = new Scheduler({ maxShownTasks: 3 });
    for (const id of "ABCD") sch.add_task({ worker: WORKER, task_id: id });
    expect(sch.ids("PENDING", "", { limit: false })).toEqual(new Set("ABCD"));
    expect(sch.task_list("PENDING", "")).toEqual({ num_tasks: 4 });
  });

  test("test_task_list_within_limit", () => {
    const sch = new Scheduler({ maxShownTasks: 4 });
    for (const id of "ABCD") sch.add_task({ worker: WORKER, task_id: id });
    expect(sch.ids("PENDING", "")).toEqual(new Set("ABCD"));
  });

  test("test_task_lists_some_beyond_limit", () => {
    const sch = new Scheduler({ maxShownTasks: 3 });
    for (const id of "ABCD") sch.add_task({ worker: WORKER, task_id: id, status: "DONE" });
    for (const id of "EFG") sch.add_task({ worker: WORKER, task_id: id });
    expect(sch.ids("PENDING", "")).toEqual(new Set("EFG"));
    expect(sch.task_list("DONE", "")).toEqual({ num_tasks: 4 });
  });

  test("test_dynamic_shown_tasks_in_task_list", () => {
    const sch = new Scheduler({ maxShownTasks: 3 });
    for (const id of "ABCD") sch.add_task({ worker: WORKER, task_id: id, status: "DONE" });
    for (const id of "EFG") sch.add_task({ worker: WORKER, task_id: id });
    expect(sch.ids("PENDING", "")).toEqual(new Set("EFG"));
    expect(sch.task_list("PENDING", "", { max_shown_tasks: 2 })).toEqual({ num_tasks: 3 });
    expect(sch.task_list("DONE", "")).toEqual({ num_tasks: 4 });
    expect(sch.ids("DONE", "", { max_shown_tasks: 4 })).toEqual(new Set("ABCD"));
  });

  test("test_task_list_filter_by_search_family_name", () => {
    const sch = apiScheduler();
    const task1 = addTask(sch, "MySpecialTask");
    const task2 = addTask(sch, "OtherSpecialTask");
    expect(searchPending(sch, "Special")).toEqual(new Set([task1, task2]));
    expect(searchPending(sch, "Task")).toEqual(new Set([task1, task2]));
    expect(searchPending(sch, "My")).toEqual(new Set([task1]));
    expect(searchPending(sch, "Other")).toEqual(new Set([task2]));
  });

  test("test_task_list_filter_by_search_long_family_name", () => {
    const sch = apiScheduler();
    const task = addTask(sch, "TaskClassWithAVeryLongNameAndDistinctEndingUUDDLRLRAB");
    expect(searchPending(sch, "UUDDLRLRAB")).toEqual(new Set([task]));
  });

  test("test_task_list_filter_by_param_name", () => {
    const sch = apiScheduler();
    const task1 = addTask(sch, "ClassA", { day: "2016-02-01" });
    const task2 = addTask(sch, "ClassB", { hour: "2016-02-01T12" });
    expect(searchPending(sch, "day")).toEqual(new Set([task1]));
    expect(searchPending(sch, "hour")).toEqual(new Set([task2]));
  });

  test("test_task_list_filter_by_long_param_name", () => {
    const sch = apiScheduler();
    const task = addTask(sch, "ClassA", { a_very_long_param_name_ending_with_uuddlrlrab: "2016-02-01" });
    expect(searchPending(sch, "uuddlrlrab")).toEqual(new Set([task]));
  });

  test("test_task_list_filter_by_param_value", () => {
    const sch = apiScheduler();
    const task1 = addTask(sch, "ClassA", { day: "2016-02-01" });
    const task2 = addTask(sch, "ClassB", { hour: "2016-02-01T12" });
    expect(searchPending(sch, "2016-02-01")).toEqual(new Set([task1, task2]));
    expect(searchPending(sch, "T12")).toEqual(new Set([task2]));
  });

  test("test_task_list_filter_by_long_param_value", () => {
    const sch = apiScheduler();
    const task = addTask(sch, "ClassA", { param: "a_very_long_param_value_ending_with_uuddlrlrab" });
    expect(searchPending(sch, "uuddlrlrab")).toEqual(new Set([task]));
  });

  test("test_task_list_filter_by_param_name_value_pair", () => {
    const sch = apiScheduler();
    const task = addTask(sch, "ClassA", { param: "value" });
    expect(searchPending(sch, "param=value")).toEqual(new Set([task]));
  });

  test("test_task_list_does_not_filter_by_task_id", () => {
    const sch = apiScheduler();
    const task = addTask(sch, "Class");
    expect(searchPending(sch, task)).toEqual(new Set());
  });

  test("test_task_list_filter_by_multiple_search_terms", () => {
    const sch = apiScheduler();
    const expected = addTask(sch, "ClassA", { day: "2016-02-01", num: "5" });
    addTask(sch, "ClassA", { day: "2016-03-01", num: "5" });
    addTask(sch, "ClassB", { day: "2016-02-01", num: "5" });
    addTask(sch, "ClassA", { day: "2016-02-01", val: "5" });
    expect(searchPending(sch, "ClassA 2016-02-01 num")).toEqual(new Set([expected]));
    expect(searchPending(sch, "classa 2016-02-01 num")).toEqual(new Set([expected]));
  });

  test("test_upstream_beyond_limit", () => {
    const sch = new Scheduler({ maxShownTasks: 3 });
    for (let i = 0; i < 4; i += 1) sch.add_task({ worker: WORKER, family: "Test", params: { p: String(i) }, task_id: `Test_${i}` });
    expect(sch.task_list("PENDING", "FAILED")).toEqual({ num_tasks: -1 });
    expect(sch.task_list("PENDING", "")).toEqual({ num_tasks: 4 });
  });

  test("test_do_not_prune_on_beyond_limit_check", () => {
    const sch = new Scheduler({ maxShownTasks: 3 });
    for (let i = 0; i < 4; i += 1) sch.add_task({ worker: WORKER, family: "Test", params: { p: String(i) }, task_id: `Test_${i}` });
    const prune = sch.engine.prune.bind(sch.engine);
    let prunes = 0;
    sch.engine.prune = (now: number) => {
      prunes += 1;
      prune(now);
    };
    expect(sch.task_list("PENDING", "")).toEqual({ num_tasks: 4 });
    expect(prunes).toBe(0);
  });

  test("test_search_results_beyond_limit", () => {
    const sch = new Scheduler({ maxShownTasks: 3 });
    for (let i = 0; i < 4; i += 1) sch.add_task({ worker: WORKER, family: "Test", params: { p: String(i) }, task_id: `Test_${i}` });
    expect(sch.task_list("PENDING", "", { search: "Test" })).toEqual({ num_tasks: 4 });
    expect(Object.keys(sch.task_list("PENDING", "", { search: "0" }))).toEqual(["Test_0"]);
  });

  test("test_task_list_no_deps", () => {
    const sch = apiScheduler();
    sch.add_task({ worker: WORKER, task_id: "B", deps: ["A"] });
    sch.add_task({ worker: WORKER, task_id: "A" });
    expect("deps" in sch.task_list("PENDING", "").A).toBe(false);
  });
});
