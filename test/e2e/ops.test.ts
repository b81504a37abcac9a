/**
 * Operations features against the compiled binary: probes through start-up,
 * /metrics after a worker's workload, auth the way Luigi's Python client sends
 * credentials, [cors] from the config file, the batch e-mail flushed at
 * shutdown to a loopback SMTP sink, and the startup refusals and warnings.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { type RunningBinary, rpc, rpcRaw, startBinary, tempDir } from "../support/index.ts";
import { parseMail, startSmtpSink } from "../ops/smtp-sink.ts";
import { scrape } from "../ops/prometheus-text.ts";

const WORKER = "Worker(salt=7, workers=1, host=ops-e2e, username=test, pid=7)";

function addTask(id: string, family: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    task_id: id, status, worker: WORKER, family, module: "__main__", params: { id }, param_visibilities: { id: 0 }, deps: [],
    runnable: true, priority: 0, resources: {}, expl: status === "FAILED" ? '"Traceback (most recent call last):\\nValueError: bad row"' : null,
    assistant: false, batchable: false, retry_policy_dict: { retry_count: null, disable_hard_timeout: null, disable_window: null }, owners: [],
    ...extra,
  };
}

const servers: RunningBinary[] = [];
async function start(options: Parameters<typeof startBinary>[0]): Promise<RunningBinary> {
  const server = await startBinary(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe("probes through start-up", () => {
  test("/healthz answers from the first moment; /readyz turns 200 only with the state loaded", async () => {
    const dir = tempDir("luigid-ops-probes-");
    try {
      // A state file with a few thousand tasks, so the restart has something to restore.
      const first = await start({ cwd: dir.path });
      await rpc(first.url, "add_worker", { worker: WORKER, info: [] });
      const ids = Array.from({ length: 3000 }, (_, i) => `Bulk_${i}`);
      await Promise.all(ids.map((id) => rpc(first.url, "add_task", addTask(id, "Bulk", "PENDING"))));
      expect(await first.stop()).toBe(0);

      const server = await start({ cwd: dir.path, noWait: true });
      const seen: string[] = [];
      const deadline = Date.now() + 15_000;
      let ready = false;
      while (!ready && Date.now() < deadline) {
        try {
          const [health, readiness] = await Promise.all([
            fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) }),
            fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(2000) }),
          ]);
          seen.push(`${health.status}/${readiness.status}`);
          ready = readiness.status === 200;
        } catch (error) {
          if ((error as Error).name === "TimeoutError") seen.push("timeout");
          await Bun.sleep(5);
        }
      }
      expect(ready).toBe(true);
      // Liveness never fails or hangs; readiness is 503 until it is 200.
      expect(seen.filter((s) => s !== "200/503" && s !== "200/200")).toEqual([]);
      const tasks = (await rpc(server.url, "task_list", { status: "PENDING" })) as Record<string, unknown>;
      expect(Object.keys(tasks)).toHaveLength(3000);
    } finally {
      dir.remove();
    }
  }, 120_000);
});

describe("/metrics after a workload", () => {
  test("Luigi's families and the scheduler's health carry the workload's figures", async () => {
    const server = await start({ cfg: "[scheduler]\nmetrics_collector = prometheus\n\n[resources]\ndb = 3\n" });
    const call = (method: string, data: Record<string, unknown>) => rpc(server.url, method, data);
    const getWork = async () => ((await call("get_work", { worker: WORKER, host: "ops-e2e", assistant: false, current_tasks: [] })) as { task_id: string | null }).task_id;
    await call("add_worker", { worker: WORKER, info: [["host", "ops-e2e"]] });
    await call("add_task", addTask("Load_1", "Load", "PENDING", { priority: 10, resources: { db: 2 } }));
    await call("add_task", addTask("Load_2", "Load", "PENDING", { priority: 5 }));
    await call("add_task", addTask("Report_1", "Report", "PENDING", { deps: ["Load_1", "Load_2"] }));
    expect(await getWork()).toBe("Load_1");
    const running = scrape(await (await fetch(`${server.url}/metrics`)).text());
    expect(running.get('luigid_resource_in_use{resource="db"}')).toBe(2);
    expect(running.get('luigid_resource_capacity{resource="db"}')).toBe(3);
    await call("add_task", addTask("Load_1", "Load", "DONE"));
    expect(await getWork()).toBe("Load_2");
    await call("add_task", addTask("Load_2", "Load", "FAILED"));

    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    const m = scrape(text);
    expect(m.get('luigi_task_started_total{family="Load"}')).toBe(2);
    expect(m.get('luigi_task_done_total{family="Load"}')).toBe(1);
    expect(m.get('luigi_task_failed_total{family="Load"}')).toBe(1);
    expect(m.get('luigi_task_execution_time_seconds{family="Load"}')).toBeGreaterThanOrEqual(0);
    expect(m.has('luigi_task_started_total{family="Report"}')).toBe(false);
    expect(m.get('luigid_tasks{status="DONE"}')).toBe(1);
    expect(m.get('luigid_tasks{status="FAILED"}')).toBe(1);
    expect(m.get('luigid_tasks{status="PENDING"}')).toBe(1);
    expect(m.get("luigid_pending_tasks")).toBe(1);
    expect(m.get("luigid_runnable_tasks")).toBe(0); // Report waits on the failed Load_2
    expect(m.get("luigid_workers")).toBe(1);
    expect(m.get('luigid_resource_in_use{resource="db"}') ?? 0).toBe(0);
    expect(m.get('luigid_rpc_duration_seconds_count{method="add_task"}')).toBe(5);
    expect(m.get('luigid_rpc_duration_seconds_count{method="get_work"}')).toBe(2);
    expect(m.get("luigid_process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    // The state file committed the workload; history is off, so its queue is empty.
    expect(m.get("luigid_state_commits")).toBeGreaterThan(0);
    expect(m.get("luigid_state_failed_commits")).toBe(0);
    expect(m.get("luigid_history_queue_depth")).toBe(0);
    // Once the writer is idle for two periods (200 ms each) it checkpoints the WAL, and says how long that took.
    let after = m;
    for (let waited = 0; !(after.get("luigid_state_checkpoints")! > 0) && waited < 5000; waited += 100) {
      await Bun.sleep(100);
      after = scrape(await (await fetch(`${server.url}/metrics`)).text());
    }
    expect(after.get("luigid_state_checkpoints")).toBeGreaterThanOrEqual(1);
    expect(after.get("luigid_state_last_checkpoint_seconds")).toBeGreaterThan(0);
  }, 60_000);
});

describe("auth as Luigi's client sends it", () => {
  const cfg = [
    "[auth]",
    "username = luigi",
    "password = it's-a-me",
    "token = 0123456789abcdef0123",
    "anonymous = read",
    "",
    "[cors]",
    "enabled = true",
    'allowed_origins = ["http://dash.example"]',
    "",
  ].join("\n");
  /** What Luigi's rpc.py does with `scheduler_url = http://luigi:it's-a-me@host:port/`. */
  const basic = (user: string, pass: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` });

  test("without credentials changes are refused and nothing changes; reads follow anonymous = read", async () => {
    const server = await start({ cfg, args: ["--address", "127.0.0.1"] });
    const before = JSON.stringify(await rpc(server.url, "task_list", {}));
    const refused = await rpcRaw(server.url, "add_task", addTask("Sneaky_1", "Sneaky", "PENDING"));
    expect(refused.status).toBe(401);
    expect(JSON.stringify(await rpc(server.url, "task_list", {}))).toBe(before);
    expect((await rpcRaw(server.url, "worker_list", {})).status).toBe(200);
    expect((await fetch(`${server.url}/api/pause`)).status).toBe(401);
    expect((await rpc(server.url, "is_paused", {})) as object).toEqual({ paused: false });
    // The warning about open interfaces is not printed: auth is on and the address is loopback.
    expect(server.stderr()).not.toContain("without authentication");
  }, 60_000);

  test("a user:pass@ URL (Authorization: Basic) and the bearer token both work; changes must be POST from an allowed Origin", async () => {
    const server = await start({ cfg });
    const withBasic = { headers: basic("luigi", "it's-a-me") };
    expect((await rpcRaw(server.url, "add_worker", { worker: WORKER, info: [] }, withBasic)).status).toBe(200);
    expect((await rpcRaw(server.url, "add_task", addTask("Real_1", "Real", "PENDING"), withBasic)).status).toBe(200);
    const work = await rpcRaw(server.url, "get_work", { worker: WORKER, host: "h", assistant: false, current_tasks: [] }, { headers: { Authorization: "Bearer 0123456789abcdef0123" } });
    expect((work.body as { response: { task_id: string } }).response.task_id).toBe("Real_1");
    expect((await fetch(`${server.url}/api/pause`, withBasic)).status).toBe(405);
    const fromDash = await fetch(`${server.url}/api/pause`, { method: "POST", headers: { ...withBasic.headers, Origin: "http://dash.example" } });
    expect(fromDash.status).toBe(200);
    expect(fromDash.headers.get("Access-Control-Allow-Origin")).toBe("http://dash.example");
    const fromElsewhere = await fetch(`${server.url}/api/unpause`, { method: "POST", headers: { ...withBasic.headers, Origin: "http://evil.example" } });
    expect(fromElsewhere.status).toBe(403);
    expect((await rpc(server.url, "is_paused", {})) as object).toEqual({ paused: true });
    const wrong = await rpcRaw(server.url, "add_task", addTask("Real_2", "Real", "PENDING"), { headers: basic("luigi", "wario") });
    expect(wrong.status).toBe(401);
  }, 60_000);
});

describe("failure e-mails", () => {
  test("batched failures are mailed at shutdown over SMTP", async () => {
    const sink = await startSmtpSink();
    try {
      const server = await start({
        cfg: [
          "[scheduler]",
          "batch_emails = true",
          "[email]",
          "receiver = oncall@example.com",
          "sender = luigid@example.com",
          "[smtp]",
          "host = 127.0.0.1",
          `port = ${sink.port}`,
          "[batch_email]",
          "email_interval = 60",
          "",
        ].join("\n"),
      });
      await rpc(server.url, "add_worker", { worker: WORKER, info: [] });
      await rpc(server.url, "add_task", addTask("Load_9", "Load", "PENDING", { owners: ["dev@example.com"] }));
      await rpc(server.url, "get_work", { worker: WORKER, host: "h", assistant: false, current_tasks: [] });
      await rpc(server.url, "add_task", addTask("Load_9", "Load", "FAILED", { owners: ["dev@example.com"] }));
      expect(sink.mails).toHaveLength(0); // the interval has not run out
      expect(await server.stop()).toBe(0);
      const mails = await sink.waitFor(2);
      const byRecipient = new Map(mails.map((mail) => [mail.to[0], parseMail(mail.data)]));
      const oncall = byRecipient.get("oncall@example.com");
      expect(oncall?.headers.get("subject")).toBe("Luigi: 1 failure in the last 60 minutes");
      expect(oncall?.body).toBe("- Load(id=Load_9) (1 failure)\n\n      Traceback (most recent call last):\n      ValueError: bad row");
      expect(byRecipient.get("dev@example.com")?.headers.get("subject")).toBe("Luigi: Your tasks have 1 failure in the last 60 minutes");
    } finally {
      await sink.close();
    }
  }, 60_000);
});

describe("startup checks", () => {
  test("unsupported collectors and e-mail methods stop startup with one clear line", async () => {
    const datadog = await start({ cfg: "[scheduler]\nmetrics_collector = datadog\n", noWait: true });
    expect(await datadog.exited).toBe(1);
    expect(datadog.stderr()).toContain("metrics_collector = datadog is not supported");
    const sendgrid = await start({ cfg: "[email]\nmethod = sendgrid\n", noWait: true });
    expect(await sendgrid.exited).toBe(1);
    expect(sendgrid.stderr()).toContain("[email] method = sendgrid is not supported");
  }, 60_000);

  test("listening on every interface without auth is warned about", async () => {
    const server = await start({});
    expect(server.stderr()).toMatch(/WARNING: listening on all interfaces without authentication/);
  }, 60_000);
});
