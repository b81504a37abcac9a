/**
 * Data for the browser tests, created the way workers create it: through the
 * RPC API of a running luigid. A small ETL pipeline with every status Luigi's
 * visualiser shows, two workers, a resource, status messages and a tracking
 * URL, plus tasks whose ids, params and messages are hostile HTML.
 */
import { type RpcTarget, rpc } from "../support/index.ts";

export const HOSTILE = `<img src=x onerror="window.__pwned=1">`;
export const HOSTILE_SCRIPT = `</script><script>window.__pwned=2</script>`;

export const WORKER_A = "Worker(salt=123456789, workers=4, host=etl-1, username=luigi, pid=4242)";
export const WORKER_B = "Worker(salt=987654321, workers=1, host=etl-2, username=luigi, pid=77)";

export const IDS = {
  report: "etl.Report_2026_11_21_5f1a2b3c4d",
  load: "etl.Load_2026_11_21_a1b2c3d4e5",
  extractA: "etl.Extract_orders_2026_11_21_0a1b2c3d4e",
  extractB: "etl.Extract_users_2026_11_21_9f8e7d6c5b",
  clean: "etl.Clean_2026_11_21_1234567890",
  broken: "Broken_2026_11_21_deadbeef00",
  blocked: "Blocked_2026_11_21_b10c4ed000",
  disabled: "Legacy_2026_11_21_0d15ab1ed0",
  flaky: "Flaky_2026_11_21_f1a4f1a4f1",
  hostile: `Evil_${HOSTILE}_0123456789`,
  hostileScript: `Evil2_${HOSTILE_SCRIPT}_9876543210`,
} as const;

export async function seed(target: string | RpcTarget): Promise<void> {
  const call = (method: string, data: Record<string, unknown>) => rpc(target, method, data);
  const add = (worker: string, task_id: string, family: string, params: Record<string, string>, extra: Record<string, unknown> = {}) =>
    call("add_task", { worker, task_id, family, module: "etl.tasks", params, ...extra });

  await call("add_worker", { worker: WORKER_A, info: [["salt", "123456789"], ["workers", 4], ["host", "etl-1"], ["username", "luigi"], ["pid", 4242], ["first_task", IDS.report]] });
  await call("add_worker", { worker: WORKER_B, info: [["workers", 1], ["host", "etl-2"], ["username", "luigi"], ["pid", 77]] });

  const date = { date: "2026-11-21" };
  await add(WORKER_A, IDS.report, "etl.Report", date, { deps: [IDS.load, IDS.broken, IDS.hostile], priority: 10 });
  await add(WORKER_A, IDS.load, "etl.Load", date, { deps: [IDS.extractA, IDS.extractB, IDS.clean], resources: { warehouse: 1 } });
  await add(WORKER_A, IDS.extractA, "etl.Extract", { ...date, table: "orders" }, { status: "DONE" });
  await add(WORKER_A, IDS.extractB, "etl.Extract", { ...date, table: "users" }, { status: "DONE" });
  await add(WORKER_A, IDS.clean, "etl.Clean", date, { resources: { warehouse: 1 }, accepts_messages: true });
  await add(WORKER_B, IDS.blocked, "Blocked", date, { deps: [IDS.disabled] });
  await add(WORKER_B, IDS.disabled, "Legacy", date, { status: "DISABLED" });
  // One failure is too many for Flaky: the scheduler disables it (re-enable-able).
  const once = { retry_policy_dict: { retry_count: 1 } };
  await add(WORKER_B, IDS.flaky, "Flaky", date, once);
  await add(WORKER_B, IDS.flaky, "Flaky", date, { ...once, status: "FAILED", expl: JSON.stringify("flaked") });
  await add(WORKER_A, IDS.hostile, `Evil${HOSTILE}`, { note: HOSTILE }, { status: "FAILED", expl: JSON.stringify(`Traceback (most recent call last):\n  ${HOSTILE_SCRIPT}\nValueError: ${HOSTILE}`) });
  await add(WORKER_B, IDS.hostileScript, "Evil2", { note: HOSTILE_SCRIPT });

  await add(WORKER_A, IDS.broken, "Broken", date, { status: "FAILED", expl: JSON.stringify("Traceback (most recent call last):\n  File \"etl/tasks.py\", line 12, in run\nValueError: the source file is empty") });
  // Clean is the only runnable task: its dependencies are done.
  const work = (await call("get_work", { worker: WORKER_A, host: "etl-1" })) as { task_id: string | null };
  if (work.task_id !== IDS.clean) throw new Error(`seed: get_work handed out ${work.task_id}, expected ${IDS.clean}`);
  await call("set_task_status_message", { task_id: IDS.clean, status_message: `Cleaning rows ${HOSTILE}` });
  await call("set_task_progress_percentage", { task_id: IDS.clean, progress_percentage: 40 });
  await add(WORKER_A, IDS.clean, "etl.Clean", date, { status: "RUNNING", tracking_url: "https://tracker.example/job/42" });
}
