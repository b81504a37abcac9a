/**
 * Task history end to end, against the compiled binary, once per spelling of
 * the config: a workload through the RPC API, then the SQLite file read
 * directly (the rows and events Luigi would have written), then every page and
 * its JSON, then a restart (a new record for the same task id).
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type RunningBinary, rpc, runBinary, startBinary, tempDir } from "../support/index.ts";

const HOST = "vm-e2e";
const WORKER = "Worker(salt=1, workers=1, host=vm-e2e, username=test, pid=1)";

const SPELLINGS = [
  { name: "record_task_history + [task_history]", cfg: (db: string) => `[scheduler]\nrecord_task_history = true\nretry_delay = 1\nprune_on_get_work = true\n\n[task_history]\ndb_connection = sqlite:///${db}\n` },
  { name: "record_step_history + [step_history]", cfg: (db: string) => `[scheduler]\nrecord_step_history = true\nretry_delay = 1\nprune_on_get_work = true\n\n[step_history]\ndb_connection = sqlite:///${db}\n` },
];

function addTask(id: string, family: string, params: Record<string, string>, status: string, extra: Record<string, unknown> = {}) {
  return {
    task_id: id,
    status,
    worker: WORKER,
    family,
    module: "__main__",
    params,
    param_visibilities: Object.fromEntries(Object.keys(params).map((k) => [k, 0])),
    deps: [],
    runnable: true,
    priority: 0,
    resources: {},
    expl: status === "FAILED" ? '"Traceback: boom"' : null,
    assistant: false,
    batchable: false,
    retry_policy_dict: { retry_count: null, disable_hard_timeout: null, disable_window: null },
    owners: [],
    ...extra,
  };
}

/** One scheduling pass and run, the way a Luigi worker drives the scheduler. */
async function workload(server: RunningBinary) {
  const call = (method: string, data: Record<string, unknown> = {}) => rpc(server.url, method, data);
  const getWork = async () => ((await call("get_work", { worker: WORKER, host: HOST, assistant: false, current_tasks: [] })) as { task_id: string | null }).task_id;
  await call("add_worker", { worker: WORKER, info: [["host", HOST]] });
  // Ok is scheduled twice (two workers' passes): Luigi records PENDING each time.
  await call("add_task", addTask("Ok_1_aa", "Ok", { day: "2024-01-01" }, "PENDING", { priority: 40 }));
  await call("add_task", addTask("Ok_1_aa", "Ok", { day: "2024-01-01" }, "PENDING", { priority: 40 }));
  await call("add_task", addTask("Boom__bb", "Boom", {}, "PENDING", { priority: 30 }));
  await call("add_task", addTask("Flaky__cc", "Flaky", { n: "1" }, "PENDING", { priority: 20 }));
  await call("add_task", addTask("Doomed_a_dd", "Doomed", { x: "a" }, "PENDING", { priority: 10, retry_policy_dict: { retry_count: 1, disable_hard_timeout: null, disable_window: null } }));
  // Waits on a missing input: never handed out, so it is still PENDING at the restart below.
  await call("add_task", addTask("Later__ff", "Later", {}, "PENDING", { runnable: false }));

  expect(await getWork()).toBe("Ok_1_aa");
  await call("add_task", addTask("Ok_1_aa", "Ok", { day: "2024-01-01" }, "DONE", { priority: 40 }));
  expect(await getWork()).toBe("Boom__bb");
  await call("add_task", addTask("Boom__bb", "Boom", {}, "FAILED", { priority: 30 }));
  expect(await getWork()).toBe("Flaky__cc");
  await call("add_task", addTask("Flaky__cc", "Flaky", { n: "1" }, "FAILED", { priority: 20 }));
  expect(await getWork()).toBe("Doomed_a_dd");
  // retry_count = 1: this failure disables Doomed; history records FAILED, never DISABLED.
  await call("add_task", addTask("Doomed_a_dd", "Doomed", { x: "a" }, "FAILED", { priority: 10, retry_policy_dict: { retry_count: 1, disable_hard_timeout: null, disable_window: null } }));
  // A worker re-adding a disabled task: the status is ignored but still recorded.
  await call("add_task", addTask("Doomed_a_dd", "Doomed", { x: "a" }, "PENDING", { priority: 10 }));
  // retry_delay = 1 s, prune_on_get_work: the failed tasks come back as PENDING (not recorded).
  await Bun.sleep(1100);
  const retried: string[] = [];
  for (let i = 0; i < 2; i++) {
    const id = await getWork();
    if (id === null) break;
    retried.push(id);
    await call("add_task", addTask(id, id.startsWith("Boom") ? "Boom" : "Flaky", id.startsWith("Boom") ? {} : { n: "1" }, "DONE"));
  }
  expect(retried.sort()).toEqual(["Boom__bb", "Flaky__cc"]);
  // The visualiser's mark-as-done on the disabled task.
  await call("mark_as_done", { task_id: "Doomed_a_dd" });
}

const EXPECTED: Record<string, string[]> = {
  Ok_1_aa: ["PENDING", "PENDING", "RUNNING", "DONE"],
  Boom__bb: ["PENDING", "RUNNING", "FAILED", "RUNNING", "DONE"],
  Flaky__cc: ["PENDING", "RUNNING", "FAILED", "RUNNING", "DONE"],
  Doomed_a_dd: ["PENDING", "RUNNING", "FAILED", "PENDING", "DONE"],
  Later__ff: ["PENDING"],
};

interface Row {
  id: number;
  task_id: string;
  name: string;
  host: string | null;
}

function readFile(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    const tasks = db.query<Row, []>("SELECT id, task_id, name, host FROM tasks ORDER BY id").all();
    const events = db.query<{ task_id: number; event_name: string; ts: string }, []>("SELECT task_id, event_name, ts FROM task_events ORDER BY id").all();
    const params = db.query<{ task_id: number; name: string; value: string }, []>("SELECT task_id, name, value FROM task_parameters ORDER BY task_id, name").all();
    return { tasks, events, params };
  } finally {
    db.close();
  }
}

async function page(server: RunningBinary, path: string) {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: await res.text() };
}
const recordIds = (html: string) => [...html.matchAll(/data-record-id="(\d+)"/g)].map((m) => Number(m[1]));

const dirs: Array<{ remove(): void }> = [];
afterAll(() => {
  for (const d of dirs) d.remove();
});

for (const spelling of SPELLINGS) {
  describe(`history with ${spelling.name}`, () => {
    test("records Luigi's rows and events, serves every page and its JSON, and starts a new record after a restart", async () => {
      const dir = tempDir("luigid-history-e2e-");
      dirs.push(dir);
      const dbPath = join(dir.path, "history.db");
      let server = await startBinary({ cwd: dir.path, cfg: spelling.cfg("history.db"), args: ["--state-path", join(dir.path, "state.db")] });
      try {
        expect(await rpc(server.url, "has_task_history")).toBe(true);
        await workload(server);

        // Pages first: a read writes out whatever is still queued.
        const recent = await page(server, "/history");
        expect(recent.status).toBe(200);
        const file = readFile(dbPath);
        expect(file.tasks.map((t) => [t.task_id, t.name, t.host])).toEqual([
          ["Ok_1_aa", "Ok", HOST],
          ["Boom__bb", "Boom", HOST],
          ["Flaky__cc", "Flaky", HOST],
          ["Doomed_a_dd", "Doomed", HOST],
          ["Later__ff", "Later", null],
        ]);
        const idOf = Object.fromEntries(file.tasks.map((t) => [t.task_id, t.id]));
        for (const [taskId, sequence] of Object.entries(EXPECTED)) {
          const own = file.events.filter((e) => e.task_id === idOf[taskId]);
          expect([taskId, own.map((e) => e.event_name)]).toEqual([taskId, sequence]);
          for (const e of own) expect(e.ts).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
          expect(own.map((e) => e.ts)).toEqual(own.map((e) => e.ts).toSorted());
        }
        expect(file.params).toEqual([
          { task_id: idOf.Ok_1_aa!, name: "day", value: "2024-01-01" },
          { task_id: idOf.Flaky__cc!, name: "n", value: "1" },
          { task_id: idOf.Doomed_a_dd!, name: "x", value: "a" },
        ]);

        // Every page: 200, the runs and their by_id links; the JSON has the same records.
        expect(recordIds(recent.body).sort()).toEqual(file.tasks.map((t) => t.id).sort());
        for (const t of file.tasks) expect(recent.body).toContain(`href="history/by_id/${t.id}"`);
        const recentJson = (await (await fetch(`${server.url}/history?format=json`)).json()) as { records: Array<{ id: number; status: string }> };
        expect(recentJson.records.map((r) => r.id)).toEqual(recordIds(recent.body));
        expect(recentJson.records.map((r) => r.status).sort()).toEqual(["DONE", "DONE", "DONE", "DONE", "PENDING"]);

        for (const t of file.tasks) {
          const detail = await page(server, `/history/by_id/${t.id}`);
          expect(detail.status).toBe(200);
          expect(detail.body).toContain(t.task_id);
          const json = (await (await fetch(`${server.url}/history/by_id/${t.id}?format=json`)).json()) as { events: Array<{ status: string }>; runs: unknown[] };
          expect(json.events.map((e) => e.status).reverse()).toEqual(EXPECTED[t.task_id]!);
          const byTask = await page(server, `/history/by_task_id/${encodeURIComponent(t.task_id)}`);
          expect(byTask.status).toBe(200);
          const chart = await page(server, `/tasklist/${t.name}`);
          expect(chart.status).toBe(200);
          const byName = await page(server, `/history/by_name/${t.name}`);
          expect([byName.status, recordIds(byName.body)]).toEqual([200, [t.id]]);
          expect(byName.body).toContain(`href="../../history/by_id/${t.id}"`);
        }
        expect((await (await fetch(`${server.url}/history/by_id/${idOf.Boom__bb}?format=json`)).json()).runs).toHaveLength(2);
        const byParams = await page(server, `/history/by_params/Doomed?data=${encodeURIComponent('{"x":"a"}')}`);
        expect(recordIds(byParams.body)).toEqual([idOf.Doomed_a_dd!]);
        const tasklist = await page(server, "/tasklist");
        for (const name of ["Ok", "Boom", "Flaky", "Doomed", "Later"]) expect(tasklist.body).toContain(`href="tasklist/${name}"`);
        // Every list page and its JSON list the same records in the same order.
        const lists = ["/history", "/history?days=all", "/history/by_name/Boom", `/history/by_params/Flaky?data=${encodeURIComponent('{"n":"1"}')}`];
        for (const path of lists) {
          const html = await page(server, path);
          const json = await fetch(`${server.url}${path}${path.includes("?") ? "&" : "?"}format=json`);
          expect([path, html.status, json.status]).toEqual([path, 200, 200]);
          const data = (await json.json()) as { records: Array<{ id: number }> };
          expect([path, data.records.map((r) => r.id)]).toEqual([path, recordIds(html.body)]);
        }
        // Detail pages: the JSON record is the one the page shows (Luigi's "Task Id" is the record id).
        for (const path of [`/history/by_task_id/Flaky__cc`, `/history/by_id/${idOf.Later__ff}`]) {
          const html = await page(server, path);
          const data = (await (await fetch(`${server.url}${path}?format=json`)).json()) as { id: number; task_id: string };
          expect(html.body).toContain(`<td>Task Id</td><td>${data.id}</td>`);
          expect(html.body).toContain(data.task_id);
        }
        // Duration pages: as many bars as finished runs in the JSON.
        for (const name of ["Boom", "Flaky", "Later"]) {
          const html = await page(server, `/tasklist/${name}`);
          const data = (await (await fetch(`${server.url}/tasklist/${name}?format=json`)).json()) as { runs: Array<{ outcome: string | null }> };
          const bars = (html.body.match(/<rect /g) ?? []).length;
          expect([name, bars]).toEqual([name, data.runs.filter((r) => r.outcome !== null).length]);
        }
        const families = (await (await fetch(`${server.url}/tasklist?format=json`)).json()) as { families: Array<{ name: string }> };
        expect(families.families.map((f) => f.name)).toEqual(["Boom", "Doomed", "Flaky", "Later", "Ok"]);
        expect((await page(server, "/history/by_id/999")).status).toBe(404);
        expect((await page(server, "/history/by_params/Ok?data=nope")).status).toBe(400);

        // Restart: the same task id runs again and gets a new record; the old one is untouched.
        await server.stop();
        server = await startBinary({ cwd: dir.path, cfg: spelling.cfg("history.db"), args: ["--state-path", join(dir.path, "state.db")] });
        await rpc(server.url, "add_task", addTask("Ok_2_ee", "Ok", { day: "2024-01-02" }, "PENDING"));
        await rpc(server.url, "get_work", { worker: WORKER, host: HOST, assistant: false, current_tasks: [] });
        await rpc(server.url, "add_task", addTask("Ok_2_ee", "Ok", { day: "2024-01-02" }, "DONE"));
        await rpc(server.url, "add_task", addTask("Later__ff", "Later", {}, "PENDING", { runnable: false }));
        const okRuns = await page(server, "/history/by_name/Ok");
        expect(recordIds(okRuns.body)).toEqual([1, 6]);
      } finally {
        await server.stop();
      }
      // Stopped: everything queued was written at shutdown.
      const after = readFile(dbPath);
      expect(after.tasks.map((t) => t.task_id)).toEqual(["Ok_1_aa", "Boom__bb", "Flaky__cc", "Doomed_a_dd", "Later__ff", "Ok_2_ee", "Later__ff"]);
      expect(after.events.filter((e) => e.task_id === 6).map((e) => e.event_name)).toEqual(["PENDING", "RUNNING", "DONE"]);
      expect(after.events.filter((e) => e.task_id === 7).map((e) => e.event_name)).toEqual(["PENDING"]);
      expect(after.events.filter((e) => e.task_id === 5)).toHaveLength(1);
    }, 60_000);
  });
}

describe("history startup errors", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["another database", "[scheduler]\nrecord_task_history = true\n[task_history]\ndb_connection = postgresql://luigi@db/history\n", /SQLite only/],
    ["a missing directory", "[scheduler]\nrecord_step_history = true\n[step_history]\ndb_connection = sqlite:////nonexistent-dir/h.db\n", /cannot open task history database \/nonexistent-dir\/h.db/],
    ["no db_connection", "[scheduler]\nrecord_task_history = true\n", /db_connection/],
  ];
  for (const [name, cfg, message] of cases) {
    test(`${name} stops the daemon with one clear line`, async () => {
      const { code, stdout, stderr } = await runBinary(["--port", "0"], { cfg });
      expect(code).toBe(1);
      expect(stderr + stdout).toMatch(message);
    }, 30_000);
  }
});
