/**
 * The memory a reply's chunks cross to the gzip thread (gzip-thread.ts): a
 * few slots in shared memory, each with room for one chunk and its deflate
 * output, and a state word per slot that both sides wait on with Atomics.
 * Slots are used strictly in turn by both sides, so the order of the pieces
 * is the order of the chunks.
 * @module
 */

export const SLOTS = 3;
/** A chunk as JsonWriter spills it: a megabyte plus the slack it may write past it (json-text.ts). */
export const INPUT_BYTES = (1 << 20) + (1 << 16);
/** deflate's worst case for INPUT_BYTES (5 bytes per 16 KiB stored block), with room to spare. */
export const OUTPUT_BYTES = INPUT_BYTES + (1 << 16);
const SLOT_BYTES = INPUT_BYTES + OUTPUT_BYTES;

/** Slot states. */
export const FREE = 0;
export const FULL = 1;
export const DONE = 2;

/** Words per slot in the control array: state, input length, output length (-1: it did not fit), last chunk (1) or not. */
const WORDS = 4;

/** Both sides' view of the shared memory; `RingMemory` is what travels to the thread. */
export interface RingMemory {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export class RingView {
  private readonly control: Int32Array;
  private readonly data: Uint8Array;

  constructor(readonly memory: RingMemory) {
    this.control = new Int32Array(memory.control);
    this.data = new Uint8Array(memory.data);
  }

  static allocate(): RingView {
    return new RingView({
      control: new SharedArrayBuffer(SLOTS * WORDS * Int32Array.BYTES_PER_ELEMENT),
      data: new SharedArrayBuffer(SLOTS * SLOT_BYTES),
    });
  }

  state(slot: number): number {
    return Atomics.load(this.control, slot * WORDS);
  }

  setState(slot: number, state: number): void {
    Atomics.store(this.control, slot * WORDS, state);
    Atomics.notify(this.control, slot * WORDS);
  }

  /** Blocks while the slot's state is `state`, at most `timeoutMs`; false on time-out. */
  waitWhile(slot: number, state: number, timeoutMs: number): boolean {
    return Atomics.wait(this.control, slot * WORDS, state, timeoutMs) !== "timed-out";
  }

  input(slot: number): Uint8Array {
    return this.data.subarray(slot * SLOT_BYTES, slot * SLOT_BYTES + this.control[slot * WORDS + 1]!);
  }

  setInput(slot: number, chunk: Uint8Array, last: boolean): void {
    this.data.set(chunk, slot * SLOT_BYTES);
    this.control[slot * WORDS + 1] = chunk.byteLength;
    this.control[slot * WORDS + 3] = last ? 1 : 0;
  }

  isLast(slot: number): boolean {
    return this.control[slot * WORDS + 3] === 1;
  }

  /** The deflate output, or null when it did not fit (the caller compresses the input itself). */
  output(slot: number): Uint8Array | null {
    const length = this.control[slot * WORDS + 2]!;
    if (length < 0) return null;
    const start = slot * SLOT_BYTES + INPUT_BYTES;
    return this.data.subarray(start, start + length);
  }

  /** Stores the deflate output; one too big for the slot (or null: compressing failed) is left to the scheduler's thread. */
  setOutput(slot: number, piece: Uint8Array | null): void {
    if (piece === null || piece.byteLength > OUTPUT_BYTES) {
      this.control[slot * WORDS + 2] = -1;
      return;
    }
    this.data.set(piece, slot * SLOT_BYTES + INPUT_BYTES);
    this.control[slot * WORDS + 2] = piece.byteLength;
  }
}
