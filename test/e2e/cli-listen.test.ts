/**
 * Where the compiled binary listens (issue 2 point 4): the default dual-stack
 * port 8082, --address, --unix-socket (mode 0600, stale socket replaced, live
 * one refused, non-socket file refused), and a busy port refused with one line
 * and the state file untouched.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { lookup } from "node:dns/promises";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { buildBinary, freePort, rpc, runBinary, startBinary, tempDir } from "../support/index.ts";

beforeAll(async () => {
  await buildBinary();
}, 120_000);

/** True when a TCP connection to host:port is accepted. */
async function accepts(host: string, port: number): Promise<boolean> {
  try {
    await fetch(`http://${host.includes(":") ? `[${host}]` : host}:${port}/api/is_paused`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** Whether 8082 is free right now (the default-port test needs it). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "::" }, () => server.close(() => resolve(true)));
  });
}

/** The [::1] checks need an IPv6 loopback; without one they fail saying so rather than with "connection refused". */
async function requireIpv6(): Promise<void> {
  const ok = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port: 0, host: "::1" }, () => server.close(() => resolve(true)));
  });
  if (!ok) throw new Error("this machine has no IPv6 loopback (::1): the dual-stack checks cannot run here");
}

describe("TCP", () => {
  test("with no flags: port 8082 on 127.0.0.1 and [::1] (README command 1)", async () => {
    if (!(await portIsFree(8082))) throw new Error("port 8082 is in use on this machine: stop whatever listens there to run this test");
    await requireIpv6();
    await using server = await startBinary({ defaultPort: true });
    for (const host of ["127.0.0.1", "[::1]"]) {
      expect(await rpc(`http://${host}:8082`, "ping", { worker: "w1" })).toEqual({ rpc_messages: [] });
    }
    expect(server.stderr()).toContain("Listening on http://[::]:8082");
  });

  test("--address 127.0.0.1 answers there and not on [::1]", async () => {
    await requireIpv6();
    const port = await freePort();
    await using server = await startBinary({ args: ["--address", "127.0.0.1", "--port", String(port)] });
    expect(await accepts("127.0.0.1", port)).toBe(true);
    expect(await accepts("::1", port)).toBe(false);
    expect(server.stderr()).toContain(`Listening on http://127.0.0.1:${port}`);
  });

  test("--address ::1 answers there and not on 127.0.0.1", async () => {
    await requireIpv6();
    const port = await freePort();
    await using _server = await startBinary({ args: ["--address=::1", `--port=${port}`] });
    expect(await accepts("::1", port)).toBe(true);
    expect(await accepts("127.0.0.1", port)).toBe(false);
  });

  test("--address localhost binds every address the name resolves to", async () => {
    const addresses = [...new Set((await lookup("localhost", { all: true })).map((a) => a.address))];
    const port = await freePort();
    await using server = await startBinary({ args: ["--address", "localhost", "--port", String(port)] });
    for (const address of addresses) {
      expect(await accepts(address, port)).toBe(true);
      expect(server.stderr()).toContain(`Listening on http://${address.includes(":") ? `[${address}]` : address}:${port}`);
    }
  });

  test("a busy port: one clear line, exit 1, no second process sharing it, state file untouched", async () => {
    await using first = await startBinary();
    const port = first.port as number;
    using dir = tempDir();
    const state = dir.join("state.db");
    const { code, stderr } = await runBinary(["--port", String(port), "--state-path", state], { cwd: dir.path });
    expect(code).toBe(1);
    expect(stderr.trimEnd().split("\n").at(-1)).toBe(`luigid: cannot listen on [::]:${port}: address already in use (is another luigid running?)`);
    expect(existsSync(state)).toBe(false);
    // The first one still serves every request.
    for (let i = 0; i < 5; i++) expect(await rpc(first.url, "is_paused")).toEqual({ paused: false });
  });

  test("an idle keep-alive connection is still open after Bun's default 10 s (a worker's pooled connection)", async () => {
    await using server = await startBinary();
    const socket = connect({ host: "127.0.0.1", port: server.port as number });
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString();
    });
    let closed = false;
    socket.on("close", () => {
      closed = true;
    });
    const request = "GET /api/is_paused HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n";
    socket.write(request);
    while (!received.includes("paused")) await Bun.sleep(10);
    await Bun.sleep(12_000);
    expect(closed).toBe(false);
    socket.write(request);
    while ((received.match(/paused/g)?.length ?? 0) < 2 && !closed) await Bun.sleep(10);
    expect(received.match(/HTTP\/1\.1 200/g)?.length).toBe(2);
    socket.destroy();
  }, 30_000);

  test("HTTP/1.0 without a Host header (a load balancer's health check) is answered like any request", async () => {
    await using server = await startBinary();
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const chunks: Uint8Array[] = [];
        // Not end(): HTTP/1.0 has the server close the connection after its reply.
        const socket = connect({ host: "127.0.0.1", port: server.port as number }, () => socket.write(request));
        socket.on("data", (chunk: Buffer) => chunks.push(chunk));
        socket.on("error", reject);
        socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
      });
    // As with a Host header: the visualiser's root answers HEAD with 204.
    expect(await raw("HEAD / HTTP/1.0\r\n\r\n")).toStartWith("HTTP/1.1 204");
    expect(await raw("GET /healthz HTTP/1.0\r\n\r\n")).toStartWith("HTTP/1.1 200");
    const body = 'data={"worker":"lb","task_id":"T","family":"T"}';
    const added = await raw(`POST /api/add_task HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(added).toStartWith("HTTP/1.1 200");
    expect(added).toEndWith('{"response":null}');
    expect(Object.keys(await rpc(server.url, "task_list", { status: "PENDING", upstream_status: "" }))).toEqual(["T"]);
    expect(server.stderr()).not.toContain("Uncaught");
  });

  test("an invalid port is one line and exit 1", async () => {
    const { code, stderr } = await runBinary(["--port", "80x"]);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split("\n").at(-1)).toBe('luigid: invalid port "80x": expected a number from 0 to 65535');
  });
});

describe("unix socket", () => {
  test("answers over the socket with mode 0600 and listens on no TCP port", async () => {
    using dir = tempDir();
    const socket = dir.join("luigid.sock");
    const port = await freePort();
    await using server = await startBinary({ args: ["--unix-socket", socket, "--port", String(port)] });
    const response = await fetch("http://localhost/api/ping", { unix: socket, method: "POST", body: new URLSearchParams({ data: '{"worker": "w"}' }) } as RequestInit);
    expect(await response.json()).toEqual({ response: { rpc_messages: [] } });
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(await accepts("127.0.0.1", port)).toBe(false);
    expect(await accepts("::1", port)).toBe(false);
    expect(server.stderr()).toContain(`Listening on unix:${socket}`);
    expect(server.stderr()).toContain("--port and --address are not used with --unix-socket (no TCP listener); ignoring them");
  });

  test("a stale socket left by a killed luigid is replaced", async () => {
    using dir = tempDir();
    const socket = dir.join("luigid.sock");
    const first = await startBinary({ args: ["--unix-socket", socket] });
    await first.stop("SIGKILL");
    expect(statSync(socket).isSocket()).toBe(true);
    await using second = await startBinary({ args: ["--unix-socket", socket] });
    const response = await fetch("http://localhost/api/is_paused", { unix: socket } as RequestInit);
    expect(response.status).toBe(200);
    void second;
  });

  test("a socket another live process answers on is refused, and that process keeps it", async () => {
    using dir = tempDir();
    const socket = dir.join("luigid.sock");
    await using first = await startBinary({ args: ["--unix-socket", socket] });
    const { code, stderr } = await runBinary(["--unix-socket", socket, "--state-path", dir.join("other.db")]);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split("\n").at(-1)).toBe(`luigid: unix socket ${socket} is in use by another running process`);
    expect(existsSync(dir.join("other.db"))).toBe(false);
    const response = await fetch("http://localhost/api/is_paused", { unix: socket } as RequestInit);
    expect(response.status).toBe(200);
    void first;
  });

  test("a file that is not a socket is refused and left alone", async () => {
    using dir = tempDir();
    const path = dir.join("not-a-socket");
    writeFileSync(path, "precious");
    const { code, stderr } = await runBinary(["--unix-socket", path]);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split("\n").at(-1)).toBe(`luigid: File ${path} exists and is not a socket`);
    expect(readFileSync(path, "utf8")).toBe("precious");
  });
});
