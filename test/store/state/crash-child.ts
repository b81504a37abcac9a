/**
 * Run as a separate process by store.test.ts: opens the store, commits a few
 * changes through the listener, says so on stdout and dies by SIGKILL, so the
 * parent can check that every acknowledged change is in the file.
 * Usage: bun crash-child.ts <state path> <tasks> [hold]
 */
import { openStateStore } from "../../../src/store/state/store.ts";
import { FakeSource, fullTask, fullWorker, memoryLog } from "./fake-source.ts";

const [path, count, mode] = process.argv.slice(2);
const store = openStateStore(path!, { log: memoryLog() });
const source = new FakeSource();
source.paused = true;
source.resources = { db: 2 };
source.touchMeta();
source.putWorker(fullWorker("w1"));
for (let i = 0; i < Number(count); i++) {
  source.putTask(fullTask(`T${i}`));
  store.listener.onChange([], source.drainChanges(), source);
  // Every 10th acknowledgement is awaited, as concurrent requests would be.
  if (i % 10 === 9) await store.listener.flush();
}
await store.listener.flush();
source.putTask(fullTask("never-acknowledged"));
store.listener.onChange([], source.drainChanges(), source);
console.log("acknowledged");
if (mode === "hold") await Bun.sleep(60_000);
process.kill(process.pid, "SIGKILL");
