// Wake-ups from other processes, relayed: Atomics.notify reaches only the waiters of its own
// process, and a futex (which reaches every process that maps the page) can only be waited on
// by a thread that blocks. So each thread of a machine's network that sleeps has a relay: a
// Worker that blocks in futex_waitv on every cell a call of that thread sleeps on (and on a
// control word of its own), and, when a waker of another process futex-wakes one of them,
// Atomics.notify()s that cell, which wakes the sleeping call in its thread. Wakers do both
// (futex_wake, then Atomics.notify), so a waker of this process wakes the call directly.
//
// The watch table (a SharedArrayBuffer of this thread and its relay):
//   [0] control: bumped (and futex-woken) when the set of watched cells changes
//   [1] stop: 1 tells the relay to end
//   [2 + 2k], [3 + 2k]: entry k: the cell's index in the network's Int32Array (-1: free) and
//   the value the sleeper saw
// A cell whose value already differs from what its sleeper saw is notified once and left out
// of the wait until the sleeper looks again (else futex_waitv would return at once, forever).
// Without futex_waitv (Linux before 5.16) the relay waits on the control word alone, 10 ms at
// a time, and looks at the cells' values in between.

import { ERRNO } from "../../errors.ts";
import { denoGlobal } from "../../_deno.ts";

const ENTRIES = 127; // futex_waitv takes 128 futexes, the control word is one
const CONTROL = 0;
const STOP = 1;

/** One thread's relay. */
export class FutexRelay {
  readonly #table: Int32Array;
  readonly #worker: Worker;
  readonly #wakeControl: () => void;
  #free: number[] = Array.from({ length: ENTRIES }, (_, k) => ENTRIES - 1 - k);

  /** Starts a relay over `memory` (the network's); `futexWake(addr)` wakes a futex here. */
  constructor(memory: WebAssembly.Memory, futexWake: (addr: Deno.PointerValue) => void) {
    this.#table = new Int32Array(new SharedArrayBuffer(4 * (2 + 2 * ENTRIES)));
    this.#table.fill(-1, 2);
    const control = Deno.UnsafePointer.of(this.#table);
    this.#wakeControl = () => futexWake(control);
    const src = `(${relayMain.toString()})(${denoGlobal.toString()}, ${ERRNO.ENOSYS})`;
    const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
    this.#worker = new Worker(url, { type: "module", name: "scif futex relay" });
    URL.revokeObjectURL(url);
    this.#worker.postMessage({ table: this.#table.buffer, memory, entries: ENTRIES });
  }

  /** Watches cell `index` (whose value the sleeper saw as `expected`); returns the entry, or
   * -1 when the table is full (the sleeper then looks again from time to time). */
  watch(index: number, expected: number): number {
    const k = this.#free.pop();
    if (k === undefined) return -1;
    Atomics.store(this.#table, 3 + 2 * k, expected);
    Atomics.store(this.#table, 2 + 2 * k, index);
    Atomics.add(this.#table, CONTROL, 1);
    this.#wakeControl();
    return k;
  }

  /** Tells the relay to look at its cells again (one it left out, as its value had changed, may
   * be back to what its sleeper waits for). */
  touch(): void {
    Atomics.add(this.#table, CONTROL, 1);
    this.#wakeControl();
  }

  /** Stops watching entry `k` (the relay finds out at its next turn; a wake-up of the cell
   * meanwhile is one spurious notify). */
  unwatch(k: number): void {
    if (k < 0) return;
    Atomics.store(this.#table, 2 + 2 * k, -1);
    this.#free.push(k);
  }

  /** Ends the relay: it is woken, sees the stop word, and closes itself. */
  stop(): void {
    Atomics.store(this.#table, STOP, 1);
    Atomics.add(this.#table, CONTROL, 1);
    this.#wakeControl();
    setTimeout(() => this.#worker.terminate(), 100);
  }
}

/** The relay's thread (run from its own source text: self-contained, with the Deno global's
 * helper passed in the same way, and `enosys` = ERRNO.ENOSYS). */
function relayMain(deno: typeof denoGlobal, enosys: number): void {
  const me = self as unknown as { onmessage: (e: MessageEvent) => void; close(): void };
  me.onmessage = (e: MessageEvent) => {
    const { table: tb, memory, entries } = e.data as {
      table: SharedArrayBuffer;
      memory: WebAssembly.Memory;
      entries: number;
    };
    const D = deno()!;
    const lib = D.dlopen("libc.so.6", {
      waitv: {
        name: "syscall",
        parameters: ["i64", "buffer", "i64", "i64", "pointer", "i64"],
        result: "i64",
      },
      futex: {
        name: "syscall",
        parameters: ["i64", "pointer", "i64", "i64", "buffer", "pointer", "i64"],
        result: "i64",
      },
      __errno_location: { parameters: [], result: "pointer" },
    }).symbols;
    const errno = new D.UnsafePointerView(lib.__errno_location()!);
    const table = new Int32Array(tb);
    const i32 = new Int32Array(memory.buffer);
    const base = D.UnsafePointer.value(D.UnsafePointer.of(i32));
    const tableAt = D.UnsafePointer.value(D.UnsafePointer.of(table));
    const waiters = new Uint8Array(24 * (entries + 1));
    const wv = new DataView(waiters.buffer);
    const slotOf: number[] = [];
    const notified = new Int32Array(entries).fill(-1); // the generation an entry was notified in
    const ts10ms = new Uint8Array(16);
    new DataView(ts10ms.buffer).setBigInt64(8, 10_000_000n, true);
    let haveWaitv = true;
    const put = (at: number, value: number, addr: bigint) => {
      wv.setBigUint64(24 * at, BigInt(value >>> 0), true);
      wv.setBigUint64(24 * at + 8, addr, true);
      wv.setUint32(24 * at + 16, 2, true); // FUTEX2_SIZE_U32, not private: the page is shared
      wv.setUint32(24 * at + 20, 0, true);
    };
    for (;;) {
      if (Atomics.load(table, 1) === 1) return me.close();
      const gen = Atomics.load(table, 0);
      put(0, gen, tableAt);
      let n = 1;
      slotOf.length = 0;
      for (let k = 0; k < entries; k++) {
        const index = Atomics.load(table, 2 + 2 * k);
        if (index < 0 || index >= i32.length) continue;
        const expected = Atomics.load(table, 3 + 2 * k);
        if (Atomics.load(i32, index) !== expected) {
          // Changed before we waited: its sleeper may not know (the writer was elsewhere).
          if (notified[k] !== gen) Atomics.notify(i32, index);
          notified[k] = gen;
          continue;
        }
        put(n, expected, base + BigInt(index * 4));
        slotOf[n] = index;
        n++;
      }
      if (haveWaitv) {
        // One wait returns for one futex; a wake-up of another cell meanwhile changed its
        // value too (every waker of another process stores before it wakes), so the next
        // turn's look at the values finds it.
        const r = Number(lib.waitv(449n, waiters, BigInt(n), 0n, null, 0n));
        if (r > 0) Atomics.notify(i32, slotOf[r]);
        else if (r < 0 && errno.getInt32() === enosys) haveWaitv = false;
      } else {
        lib.futex(202n, D.UnsafePointer.create(tableAt), 0n, BigInt(gen), ts10ms, null, 0n);
      }
    }
  };
}
