/**
 * The gzip thread (gzip-thread.ts): compresses the chunks the scheduler's
 * thread puts in the ring, one slot after the other, for as long as the
 * process lives. It waits on the slots' state words, not on messages: the
 * scheduler's thread hands chunks over in the middle of writing a reply and
 * never yields to its event loop before the reply is complete. A build entry
 * point in scripts/build.ts, so the compiled binary embeds it.
 * @module
 */
import { deflateChunk } from "../engine/queries/gzip-stream.ts";
import { DONE, FULL, type RingMemory, RingView, SLOTS } from "./gzip-ring.ts";

declare const self: Worker;

self.onmessage = (event: MessageEvent<RingMemory>) => {
  const ring = new RingView(event.data);
  self.postMessage("ready");
  for (let slot = 0; ; slot = (slot + 1) % SLOTS) {
    for (let state = ring.state(slot); state !== FULL; state = ring.state(slot)) ring.waitWhile(slot, state, Number.POSITIVE_INFINITY);
    const last = ring.isLast(slot);
    let piece: Uint8Array | null = null;
    try {
      piece = deflateChunk(ring.input(slot), last);
    } catch {
      // Left to the scheduler's thread, which compresses the chunk itself.
    }
    ring.setOutput(slot, piece);
    ring.setState(slot, DONE);
    // Each chunk's zlib state (~300 KB outside the JS heap) is freed only when its handle is
    // collected, and this thread allocates too little for a collection ever to start by itself.
    if (last) Bun.gc(true);
  }
};
