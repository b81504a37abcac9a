/**
 * A gzip member built from chunks handed over one at a time, each compressed
 * as soon as it is complete. A big reply can then be written into one small
 * buffer used over and over (still in cache when it is compressed), instead
 * of ~45 MB of fresh memory: on this class of machine the page faults alone
 * cost ~35 ms per 100k-task listing.
 *
 * Each chunk is raw deflate ending on a full flush (byte-aligned, no final
 * block), so the pieces concatenate into one deflate stream, as pigz does;
 * the last ends the stream. The result is one ordinary gzip member
 * (RFC 1952) that every client decodes.
 *
 * Who compresses a chunk is a ChunkDeflater: here, inline; the server installs
 * one that hands chunks to a thread (src/server/gzip-thread.ts), so that the
 * listing is written while the previous megabyte is being compressed.
 * @module
 */
import { constants, deflateRawSync } from "node:zlib";

/** RFC 1952 header: deflate, no flags, no mtime, extra flags 0, OS unknown. */
const HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255);

/** Level 1: a listing still shrinks ~12x, at a fraction of the default level's cost. */
export const GZIP_LEVEL = 1;

/** Compresses the chunks of one reply, in order, each on its own (no history shared between chunks). */
export interface ChunkDeflater {
  /**
   * Raw deflate of `chunk`, ending on a full flush, or ending the stream when
   * `last`. The chunk's bytes may be overwritten as soon as this returns.
   */
  push(chunk: Uint8Array, last: boolean): void;
  /** Every compressed piece, in order; called once, after the last push. */
  finish(): Uint8Array[];
}

/** One chunk compressed on the calling thread: what every deflater does when it cannot hand the work over. */
export function deflateChunk(chunk: Uint8Array, last: boolean): Uint8Array {
  return deflateRawSync(chunk, { level: GZIP_LEVEL, finishFlush: last ? constants.Z_FINISH : constants.Z_FULL_FLUSH });
}

export class InlineDeflater implements ChunkDeflater {
  private readonly pieces: Uint8Array[] = [];

  push(chunk: Uint8Array, last: boolean): void {
    this.pieces.push(deflateChunk(chunk, last));
  }

  finish(): Uint8Array[] {
    return this.pieces;
  }
}

let newDeflater: () => ChunkDeflater = () => new InlineDeflater();

/**
 * Installs where replies get their deflaters from; returns a function that
 * puts the previous one back, unless another was installed since (any
 * deflater gives the same bytes, so an old one left in place is harmless).
 */
export function useDeflaters(factory: () => ChunkDeflater): () => void {
  const previous = newDeflater;
  newDeflater = factory;
  return () => {
    if (newDeflater === factory) newDeflater = previous;
  };
}

export class GzipStream {
  private readonly deflater = newDeflater();
  private crc = 0;
  private length = 0;

  /** Compresses `chunk` (its bytes may be overwritten as soon as this returns). */
  write(chunk: Uint8Array): void {
    this.add(chunk, false);
  }

  /** The last chunk; returns the whole gzip member. */
  end(chunk: Uint8Array): Uint8Array<ArrayBuffer> {
    this.add(chunk, true);
    const trailer = new Uint8Array(8);
    const view = new DataView(trailer.buffer);
    view.setUint32(0, this.crc >>> 0, true);
    view.setUint32(4, this.length % 2 ** 32, true);
    const parts = [HEADER, ...this.deflater.finish(), trailer];
    let size = 0;
    for (const part of parts) size += part.byteLength;
    const out = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.byteLength;
    }
    return out;
  }

  private add(chunk: Uint8Array, last: boolean): void {
    this.crc = Bun.hash.crc32(chunk, this.crc);
    this.length += chunk.byteLength;
    this.deflater.push(chunk, last);
  }
}
