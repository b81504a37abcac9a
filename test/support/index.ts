/** Shared test helpers: build/spawn the binary, temp dirs, an RPC client, the in-process app. */
export { buildBinary, DEFAULT_BINARY, freePort, ROOT, runBinary, type RunningBinary, type StartOptions, startBinary, waitForServer } from "./binary.ts";
export { createTestApp, type TestApp, type TestAppOptions, testConfig } from "./app.ts";
export { type RpcReply, type RpcTarget, rpc, rpcRaw } from "./rpc.ts";
export { type TempDir, tempDir } from "./temp.ts";
