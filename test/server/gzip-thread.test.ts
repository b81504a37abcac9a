/**
 * Big replies gzipped on the gzip thread (src/server/gzip-thread.ts): the
 * bytes are exactly those of inline compression, whatever the chunk sizes,
 * however many replies in a row, after a reply abandoned halfway, and when
 * the thread cannot help (never started, closed), replies are still whole.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { GzipStream } from "../../src/engine/queries/gzip-stream.ts";
import { JsonReply } from "../../src/engine/queries/json-text.ts";
import { GzipThread } from "../../src/server/gzip-thread.ts";

const MB = 1 << 20;

/** Text that compresses like a listing does, different for each seed. */
function listingLike(bytes: number, seed: number): Uint8Array {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const part = `{"id":"Task_${seed}_${i}(x=${(i * 7919) % 1000})","v":${Math.sin(i + seed)},"s":"é${"abc".repeat(i % 40)}"},`;
    parts.push(part);
    size += part.length;
  }
  return new TextEncoder().encode(parts.join("")).subarray(0, bytes);
}

/** One reply through GzipStream, in chunks of the given sizes (the rest goes last). */
function gzip(data: Uint8Array, chunkSizes: number[]): Uint8Array {
  const stream = new GzipStream();
  let at = 0;
  for (const size of chunkSizes) {
    stream.write(data.subarray(at, at + size));
    at += size;
  }
  return stream.end(data.subarray(at));
}

async function helpingThread(options: ConstructorParameters<typeof GzipThread>[0] = {}): Promise<GzipThread> {
  const thread = new GzipThread(options);
  thread.deflater(); // the first request starts it
  for (let waited = 0; !thread.helping && waited < 10_000; waited += 10) await Bun.sleep(10);
  expect(thread.helping).toBe(true);
  return thread;
}

const threads: GzipThread[] = [];
afterAll(() => {
  for (const thread of threads) thread.close();
});

describe("gzip on a thread", () => {
  test("replies have the bytes inline compression gives, over many chunks and several replies in a row", async () => {
    const replies = [listingLike(5.5 * MB, 1), listingLike(3 * MB + 17, 2), listingLike(7 * MB, 3)];
    const expected = replies.map((data) => gzip(data, Array(Math.floor(data.byteLength / MB)).fill(MB)));
    const thread = await helpingThread();
    threads.push(thread);
    const undo = thread.install();
    try {
      replies.forEach((data, i) => {
        const zipped = gzip(data, Array(Math.floor(data.byteLength / MB)).fill(MB));
        expect(Buffer.from(zipped).equals(Buffer.from(expected[i]!))).toBe(true);
        expect(Buffer.from(Bun.gunzipSync(zipped as Uint8Array<ArrayBuffer>)).equals(Buffer.from(data))).toBe(true);
      });
      // Every chunk went to the thread: 5 + 3 + 7 megabytes, and the three last chunks.
      expect(thread.chunksOnThread).toBe(18);
    } finally {
      undo();
    }
    expect(thread.helping).toBe(true);
  });

  test("a chunk too big for a slot, and tiny chunks, are compressed in their place", async () => {
    const data = listingLike(8 * MB, 4);
    const sizes = [MB, 3 * MB, 10, MB, 0, MB];
    const expected = gzip(data, sizes);
    const thread = await helpingThread();
    threads.push(thread);
    const undo = thread.install();
    try {
      expect(Buffer.from(gzip(data, sizes)).equals(Buffer.from(expected))).toBe(true);
      // All but the 3 MB chunk (and the 2 MB rest, also too big for a slot).
      expect(thread.chunksOnThread).toBe(5);
    } finally {
      undo();
    }
  });

  test("a reply abandoned halfway leaves nothing in the next one", async () => {
    const first = listingLike(4 * MB, 5);
    const second = listingLike(4 * MB, 6);
    const expected = gzip(second, [MB, MB, MB]);
    const thread = await helpingThread();
    threads.push(thread);
    const undo = thread.install();
    try {
      const abandoned = new GzipStream();
      abandoned.write(first.subarray(0, MB));
      abandoned.write(first.subarray(MB, 2 * MB));
      // ... an exception while writing: the stream is never ended.
      expect(Buffer.from(gzip(second, [MB, MB, MB])).equals(Buffer.from(expected))).toBe(true);
    } finally {
      undo();
    }
  });

  test("a listing written through JsonReply reads back the same with the thread", async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => ({ id: `T${i}`, name: `Task "${i}" ☃`, at: 1_700_000_000 + i / 1e6 }));
    const thread = await helpingThread();
    threads.push(thread);
    const undo = thread.install();
    try {
      const reply = JsonReply.write((out) => {
        out.raw("[");
        rows.forEach((row, i) => {
          if (i > 0) out.raw(",");
          out.member(new Uint8Array(0), row);
          out.checkpoint();
        });
        out.raw("]");
      }, MB);
      expect(reply.gzipped).toBe(true);
      expect(thread.chunksOnThread).toBeGreaterThan(1);
      expect(reply.toJSON()).toEqual(rows);
    } finally {
      undo();
    }
  });

  test("when the thread cannot start, replies are compressed inline and a warning says so", async () => {
    const warnings: string[] = [];
    const thread = new GzipThread({ candidates: ["/nonexistent/luigid-gzip-thread.ts"], warn: (message) => warnings.push(message) });
    threads.push(thread);
    const undo = thread.install();
    try {
      const data = listingLike(3 * MB, 7);
      const expected = Bun.gzipSync(data as Uint8Array<ArrayBuffer>);
      for (let waited = 0; warnings.length === 0 && waited < 10_000; waited += 10) {
        expect(Buffer.from(Bun.gunzipSync(gzip(data, [MB, MB]) as Uint8Array<ArrayBuffer>)).equals(Buffer.from(Bun.gunzipSync(expected)))).toBe(true);
        await Bun.sleep(10);
      }
      expect(warnings).toEqual(["no gzip thread could be started; big replies are compressed on the scheduler's thread"]);
      expect(thread.helping).toBe(false);
      expect(Buffer.from(Bun.gunzipSync(gzip(data, [MB, MB]) as Uint8Array<ArrayBuffer>)).equals(Buffer.from(data))).toBe(true);
    } finally {
      undo();
    }
  });

  test("after close, replies are compressed inline", async () => {
    const thread = await helpingThread();
    const undo = thread.install();
    try {
      thread.close();
      expect(thread.helping).toBe(false);
      const data = listingLike(2.5 * MB, 8);
      expect(Buffer.from(Bun.gunzipSync(gzip(data, [MB, MB]) as Uint8Array<ArrayBuffer>)).equals(Buffer.from(data))).toBe(true);
      expect(thread.chunksOnThread).toBe(0);
    } finally {
      undo();
    }
  });
});
