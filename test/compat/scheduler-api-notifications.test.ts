/**
 * E-mail and metrics hooks pinned by Luigi's test/scheduler_api_test.py
 * (SchedulerApiTest). Luigi mocks its BatchNotifier and metrics collector; our
 * engine reports the same moments as EngineEvents (src/engine/events.ts), which
 * the e-mail and metrics listeners consume. Each test is named after Luigi's.
 */
import { describe, expect, test } from "bun:test";
import type { EngineEvent } from "../../src/engine/events.ts";
import { Scheduler, WORKER } from "./luigi-scheduler.ts";

type EventOf<T extends EngineEvent["type"]> = Extract<EngineEvent, { type: T }>;

function eventsOf<T extends EngineEvent["type"]>(events: EngineEvent[], type: T): Array<EventOf<T>> {
  return events.filter((event): event is EventOf<T> => event.type === type);
}

const FAILED_T = { worker: WORKER, status: "FAILED", task_id: "T(a=5, b=6)", family: "T", params: { a: "5", b: "6" }, expl: '"bad thing"' };

describe("SchedulerApiTest: batch e-mails", () => {
  test("test_batch_failure_emails", () => {
    const sch = new Scheduler({ batchEmails: true });
    sch.add_task(FAILED_T);
    const [failure, ...more] = eventsOf(sch.takeEvents(), "failure_reported");
    expect(more).toEqual([]);
    expect(failure).toMatchObject({ worker: WORKER, expl: "bad thing", unbatchedParams: { a: "5", b: "6" }, disabled: false });
    expect(failure!.task).toMatchObject({ id: "T(a=5, b=6)", family: "T" });
  });

  test("test_handle_bad_expl_in_failure_emails", () => {
    const sch = new Scheduler({ batchEmails: true });
    sch.add_task({ ...FAILED_T, expl: "bad thing" });
    expect(eventsOf(sch.takeEvents(), "failure_reported")[0]?.expl).toBe("bad thing");
  });

  test("test_batch_failure_emails_with_task_batcher", () => {
    const sch = new Scheduler({ batchEmails: true });
    sch.add_task_batcher({ worker: WORKER, task_family: "T", batched_args: ["a"] });
    sch.add_task(FAILED_T);
    expect(eventsOf(sch.takeEvents(), "failure_reported")[0]?.unbatchedParams).toEqual({ b: "6" });
  });

  test("test_batch_failure_email_with_owner", () => {
    const sch = new Scheduler({ batchEmails: true });
    sch.add_task({ ...FAILED_T, owners: ["a@test.com", "b@test.com"] });
    expect(eventsOf(sch.takeEvents(), "failure_reported")[0]?.owners).toEqual(["a@test.com", "b@test.com"]);
  });

  test("test_batch_disable_emails", () => {
    const sch = new Scheduler({ batchEmails: true, retryCount: 1 });
    sch.add_task(FAILED_T);
    const [failure] = eventsOf(sch.takeEvents(), "failure_reported");
    expect(failure).toMatchObject({ expl: "bad thing", unbatchedParams: { a: "5", b: "6" }, disabled: true });
  });

  test("test_batch_disable_email_with_owner", () => {
    const sch = new Scheduler({ batchEmails: true, retryCount: 1 });
    sch.add_task({ ...FAILED_T, owners: ["a@test.com"] });
    expect(eventsOf(sch.takeEvents(), "failure_reported")[0]).toMatchObject({ owners: ["a@test.com"], disabled: true });
  });

  test("test_batch_disable_emails_with_task_batcher", () => {
    const sch = new Scheduler({ batchEmails: true, retryCount: 1 });
    sch.add_task_batcher({ worker: WORKER, task_family: "T", batched_args: ["a"] });
    sch.add_task(FAILED_T);
    expect(eventsOf(sch.takeEvents(), "failure_reported")[0]).toMatchObject({ unbatchedParams: { b: "6" }, disabled: true });
  });

  test("test_send_normal_disable_email", () => {
    const sch = new Scheduler({ batchEmails: false, retryCount: 1 });
    sch.add_task(FAILED_T);
    const disabled = eventsOf(sch.takeEvents(), "auto_disabled");
    expect(disabled).toHaveLength(1);
    expect(disabled[0]!.task.id).toBe("T(a=5, b=6)");
  });

  test("test_scheduling_failure", () => {
    const sch = new Scheduler({ batchEmails: true });
    sch.call("announce_scheduling_failure", { worker: WORKER, task_name: "T(a=1, b=2)", family: "T", params: { a: "1", b: "2" }, expl: "error", owners: ["owner"] });
    expect(eventsOf(sch.takeEvents(), "scheduling_failure")).toEqual([
      expect.objectContaining({ taskName: "T(a=1, b=2)", family: "T", unbatchedParams: { a: "1", b: "2" }, expl: "error", owners: ["owner"] }),
    ]);
  });

  test("test_scheduling_failure_without_batcher", () => {
    const sch = new Scheduler({ batchEmails: false });
    sch.call("announce_scheduling_failure", { worker: WORKER, task_name: "T(a=1, b=2)", family: "T", params: { a: "1", b: "2" }, expl: "error", owners: ["owner"] });
    expect(eventsOf(sch.takeEvents(), "scheduling_failure")).toEqual([]);
  });

  test("test_scheduling_failure_with_task_batcher", () => {
    const sch = new Scheduler({ batchEmails: true });
    sch.add_task_batcher({ worker: WORKER, task_family: "T", batched_args: ["a"] });
    sch.call("announce_scheduling_failure", { worker: WORKER, task_name: "T(a=1, b=2)", family: "T", params: { a: "1", b: "2" }, expl: "error", owners: ["owner"] });
    expect(eventsOf(sch.takeEvents(), "scheduling_failure")[0]?.unbatchedParams).toEqual({ b: "2" });
  });
});

describe("SchedulerApiTest: metrics hooks", () => {
  test("test_collector_metrics_on_task_started", () => {
    const sch = new Scheduler();
    sch.add_task({ worker: WORKER, task_id: "A", status: "PENDING" });
    sch.get_work({ worker: WORKER });
    const started = eventsOf(sch.takeEvents(), "task_started");
    expect(started.map((event) => event.task.id)).toEqual(["A"]);
  });

  test.each([
    ["test_collector_metrics_on_task_disabled", { retryCount: 0 }, "FAILED", "DISABLED"],
    ["test_collector_metrics_on_task_failed", {}, "FAILED", "FAILED"],
    ["test_collector_metrics_on_task_done", {}, "DONE", "DONE"],
  ] as const)("%s", (_name, config, reported, to) => {
    const sch = new Scheduler(config);
    sch.add_task({ worker: WORKER, task_id: "A", status: reported });
    const changes = eventsOf(sch.takeEvents(), "status_changed").filter((event) => event.to === to);
    expect(changes.map((event) => event.task.id)).toEqual(["A"]);
  });
});
