/**
 * Hostile input against the compiled binary: thousands of generated requests
 * (malformed JSON, wrong argument types, deep nesting, huge and odd bodies,
 * unknown methods and paths, hostile strings). Every reply must be a 4xx or a
 * valid answer, the process must stay up, and a refused request must leave
 * the scheduler's visible state exactly as it was.
 *
 * The generator is seeded (LUIGID_FUZZ_SEED) so a failure can be replayed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { RPC_METHODS } from "../../src/rpc/table.ts";
import { type RunningBinary, rpc, rpcRaw, startBinary } from "../support/index.ts";
import { seededRandom } from "../support/seeded.ts";

const SEED = Number(process.env.LUIGID_FUZZ_SEED ?? 20261121);
const REQUESTS = Number(process.env.LUIGID_FUZZ_REQUESTS ?? 2500);

const random = seededRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (n: number) => Math.floor(random() * n);

const HOSTILE_STRINGS = [
  "",
  " ",
  "A",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "%00%zz%",
  "\u0000\u0001\u001f",
  "\ud800",
  "\uffff\ufeff",
  "🦀".repeat(50),
  "'; DROP TABLE tasks; --",
  "${jndi:ldap://x}",
  "a".repeat(70_000),
  "Task(a=1)\r\nX-Injected: 1",
  "__proto__",
  "constructor",
  "null",
  "Infinity",
];

function hostileValue(depth = 0): unknown {
  switch (int(depth > 2 ? 8 : 11)) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick([0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e-320]);
    case 3:
    case 4:
      return pick(HOSTILE_STRINGS);
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return `w${int(5)}`;
    case 8:
      return Array.from({ length: int(4) }, () => hostileValue(depth + 1));
    case 9:
      return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(HOSTILE_STRINGS).slice(0, 20), hostileValue(depth + 1)]));
    default:
      return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}');
  }
}

/** Argument names the RPCs take, so generated objects hit the decoders rather than only "unknown key". */
const ARG_NAMES = [
  "worker", "task_id", "status", "deps", "new_deps", "expl", "resources", "priority", "family", "module", "params",
  "param_visibilities", "assistant", "tracking_url", "runnable", "batchable", "batch_id", "retry_policy_dict", "owners",
  "accepts_messages", "host", "current_tasks", "info", "processes", "batched_args", "max_batch_size", "task_name",
  "status_message", "progress_percentage", "decrease_resources", "statistics", "message_id", "response", "content",
  "upstream_status", "search", "limit", "include_done", "find_upstream", "task_str", "name", "amount", "resource",
];

function hostileArgs(): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (let i = int(6); i >= 0; i--) args[pick(ARG_NAMES)] = hostileValue();
  if (random() < 0.2) args[pick(HOSTILE_STRINGS).slice(0, 30)] = hostileValue();
  return args;
}

/** `data` texts that are not a JSON object (must be refused) ... */
const NOT_AN_OBJECT = [
  "{",
  '{"a":}',
  '{"a" 1}',
  "{'worker': 'w'}",
  "[]",
  "null",
  "1",
  '"text"',
  "NaN",
  "Infinity",
  "-Infinity",
  "{,}",
  '{"a":1,}',
  '{"a":"\\u00zz"}',
  `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
  `${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`,
];

/** ... and odd texts that are objects (a refusal or an answer, both fine). */
const ODD_OBJECTS = [
  "\u0000{}",
  '{"a":"\\ud800"}',
  `{"worker": "${"x".repeat(2_000_000)}"}`,
  '{"worker": "w", "worker": 5}',
  '{"priority": -Infinity, "task_id": NaN}',
];

interface FuzzRequest {
  describe: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: BodyInit;
  /** 4xx is the only acceptable answer (nothing valid was sent). */
  mustRefuse?: boolean;
}

const RPCS = [...RPC_METHODS];

function generate(): FuzzRequest {
  const kind = int(10);
  const method = pick(RPCS);
  if (kind <= 3) {
    const data = JSON.stringify(hostileArgs());
    return random() < 0.7
      ? { describe: `POST ${method} ${data.slice(0, 200)}`, method: "POST", path: `/api/${method}`, body: new URLSearchParams({ data }) }
      : { describe: `GET ${method} ${data.slice(0, 200)}`, method: "GET", path: `/api/${method}?data=${encodeURIComponent(data)}` };
  }
  if (kind <= 5) {
    const refuse = random() < 0.7;
    const data = pick(refuse ? NOT_AN_OBJECT : ODD_OBJECTS);
    return { describe: `odd data for ${method}: ${data.slice(0, 80)}`, method: "POST", path: `/api/${method}`, body: new URLSearchParams({ data }), mustRefuse: refuse };
  }
  if (kind === 6) {
    const [type, body] = pick<[string, string]>([
      ["application/json", JSON.stringify({ worker: "w" })],
      ["multipart/form-data; boundary=zzz", "--zzz\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n{\"x\r\n--zz"],
      ["multipart/form-data", "garbage"],
      ["application/x-www-form-urlencoded", "data=%zz%7B"],
      ["application/x-www-form-urlencoded", "data=%7B%22a%22&data"],
      ["application/x-www-form-urlencoded; charset=latin1", "data=\xff\xfe"],
      ["text/plain", "data={}"],
    ]);
    return { describe: `${type} body to ${method}`, method: "POST", path: `/api/${method}`, headers: { "Content-Type": type }, body };
  }
  if (kind === 7) {
    const path = pick([
      "/api/",
      "/api",
      "/api/ping/",
      "/api/%zz",
      "/api/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      `/api/${"x".repeat(8000)}`,
      "/api/__proto__",
      "/api/constructor",
      "/api/toString",
      "/api/dump",
      "/api/load",
      "/api/%F0%9F%A6%80",
      "/static/../../etc/passwd",
      "/static/%2e%2e/%2e%2e/etc/passwd",
      "/history/by_id/-1",
      "/history/by_id/abc",
      "/history/by_id/99999999999999999999999",
      "/history/by_params/A?data=%7B",
      "/history/by_params/A?data=[]",
      `/history/by_params/Leaf?data=${encodeURIComponent(`{"n":${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}}`)}`,
      "/history/by_params/Leaf?data=%7B%22n%22%3A%5B1%2C%7B%7D%5D%7D",
      "/history/by_name/%zz",
      "/tasklist/%00",
      "/metrics?name[]=x",
      "/readyz/x",
      "/api/is_paused?data=%zz",
      "/api/task_list?data=%7B%22status%22%3A%25zz",
      "/ui-api/tasks?limit=-1",
      "/ui-api/tasks?offset=1e99&categories=%zz",
      `/ui-api/tasks?search=${"%F0%9F%A6%80".repeat(900)}`,
      "/ui-api/tasks?sort=__proto__&categories=constructor",
      "/ui-api/task?id=%zz",
      "/ui-api/task?id=Root_1&id=Leaf_1",
      "/ui-api/graph?task_id=%00%0D%0A&direction=sideways",
      "/ui-api/graph?task_id=Root_1&hide_done=1&limit=NaN",
      "/ui-api/workers?fresh=1",
      "/ui-api/nope/../../etc/passwd",
      "/index.html",
      `/${"%".repeat(300)}`,
    ]);
    return { describe: `path ${path.slice(0, 100)}`, method: pick(["GET", "POST", "HEAD"]), path };
  }
  if (kind === 8) {
    const verb = pick(["PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "CONNECT_X"]);
    return { describe: `${verb} /api/${method}`, method: verb, path: `/api/${method}`, body: verb === "TRACE" ? undefined : new URLSearchParams({ data: "{}" }), mustRefuse: true };
  }
  const header = pick<Record<string, string>>([
    { "Content-Length": "5" },
    { Origin: "null" },
    { Host: "evil.example" },
    { Authorization: "Basic !!!" },
    { "Transfer-Encoding": "gzip" },
    { "Content-Encoding": "gzip" },
    { Cookie: "a".repeat(8000) },
  ]);
  return { describe: `odd headers ${JSON.stringify(header).slice(0, 80)} on ${method}`, method: "POST", path: `/api/${method}`, headers: header, body: new URLSearchParams({ data: JSON.stringify(hostileArgs()) }) };
}

let server: RunningBinary;

/** What must not change when a request is refused. */
async function snapshot(): Promise<string> {
  const [tasks, workers, resources, paused] = await Promise.all([
    rpc(server.url, "task_list", {}),
    rpc(server.url, "worker_list", {}),
    rpc(server.url, "resource_list", {}),
    rpc(server.url, "is_paused", {}),
  ]);
  return JSON.stringify({ tasks, workers, resources, paused });
}

beforeAll(async () => {
  server = await startBinary({
    cfg: "[scheduler]\nretry_delay = 3600\nrecord_task_history = true\n\n[task_history]\ndb_connection = sqlite:///history.db\n\n[resources]\ndb = 2\n",
  });
  // A small live graph so the decoders have something to damage.
  const worker = "Worker(salt=1, workers=1, host=fuzz, username=fuzz, pid=1)";
  await rpc(server.url, "add_worker", { worker, info: [["host", "fuzz"]] });
  for (const [id, deps] of [["Root_1", ["Leaf_1", "Leaf_2"]], ["Leaf_1", []], ["Leaf_2", []]] as const) {
    await rpc(server.url, "add_task", { worker, task_id: id, status: "PENDING", deps, family: id.split("_")[0], params: { n: id }, runnable: true, resources: { db: 1 } });
  }
  await rpc(server.url, "get_work", { worker, host: "fuzz", assistant: false, current_tasks: null });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

test(`${REQUESTS} hostile requests: 4xx or a valid answer, the process stays up, refusals change nothing`, async () => {
  let before = await snapshot();
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < REQUESTS && failures.length < 10; i++) {
    const req = generate();
    let status: number;
    let text: string;
    try {
      const response = await fetch(`${server.url}${req.path}`, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(15_000) });
      status = response.status;
      text = await response.text();
    } catch (error) {
      // A client-side refusal to send (e.g. an invalid method token) is not the server's fault; a dead server is.
      if (server.proc.exitCode !== null || server.proc.signalCode !== null) throw new Error(`luigid died on #${i} ${req.describe}:\n${server.stderr().slice(-3000)}`);
      if (error instanceof TypeError && /method|header/i.test(error.message)) continue;
      failures.push(`#${i} ${req.describe}: ${error}`);
      continue;
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status >= 500) failures.push(`#${i} ${req.describe}: ${status} ${text.slice(0, 300)}`);
    else if (status >= 400) {
      const after = await snapshot();
      if (after !== before) failures.push(`#${i} ${req.describe}: refused with ${status} but the state changed`);
      before = after;
    } else {
      if (req.mustRefuse) failures.push(`#${i} ${req.describe}: expected a 4xx, got ${status}`);
      if (req.path.startsWith("/api/") && req.method !== "HEAD" && req.method !== "OPTIONS") {
        let ok = false;
        try {
          ok = "response" in (JSON.parse(text) as object);
        } catch {}
        if (!ok) failures.push(`#${i} ${req.describe}: ${status} without a {"response": …} body: ${text.slice(0, 200)}`);
      }
      before = await snapshot();
    }
  }
  console.error(`fuzz seed ${SEED}: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  expect(failures).toEqual([]);
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  expect(server.proc.exitCode).toBeNull();
  // The generator reached both sides.
  expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
}, 600_000);

test("a burst of concurrent hostile requests: no 5xx, the process stays up and still answers", async () => {
  const statuses = await Promise.all(
    Array.from({ length: 400 }, async () => {
      const req = generate();
      try {
        const response = await fetch(`${server.url}${req.path}`, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(30_000) });
        await response.arrayBuffer();
        return `${response.status} ${req.describe}`;
      } catch (error) {
        return error instanceof TypeError && /method|header/i.test(error.message) ? "skipped" : `error ${req.describe}: ${error}`;
      }
    }),
  );
  expect(statuses.filter((s) => s.startsWith("5") || s.startsWith("error"))).toEqual([]);
  expect(server.proc.exitCode).toBeNull();
  expect(await rpc(server.url, "is_paused", {})).toBeDefined();
}, 120_000);

test("a body over 100 MiB is refused with 413 and changes nothing", async () => {
  const before = await snapshot();
  const big = new URLSearchParams({ data: JSON.stringify({ worker: "w", task_id: "Huge_1", expl: "x".repeat(101 * 1024 * 1024) }) });
  const reply = await rpcRaw(server.url, "add_task", undefined, { body: big });
  expect(reply.status).toBe(413);
  expect(await snapshot()).toBe(before);
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
}, 120_000);
