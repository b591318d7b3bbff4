// The bus of a network of threads (createNetwork): one program's shared WebAssembly memory.
// Sleepers wait with Atomics.waitAsync and wakers use Atomics.notify, which reach every thread
// of the program; a slot attached in a Worker holds a Web Lock whose release is its end. Where
// the program may use FFI, the memory is backed by a file without a name (memfd, see
// bus/_file_memory.ts), so that windows whose memory is apart can be mapped as one range.

import type { Bus, BusHandle, Span } from "./_bus.ts";
import { hold, inWorker, lockName, watch } from "./_web_locks.ts";
import { hold as holdProcess, LocalWakers, unhold } from "../_wait.ts";

/** The part of a file-backed memory the bus uses (bus/_file_memory.ts). */
export interface Remapper {
  readonly fd: number;
  mapSpans(spans: readonly Span[], length: number): Uint8Array;
  unmapView(view: Uint8Array): boolean;
}

/** One thread's view of a network of threads. */
export class ThreadsBus implements Bus {
  readonly kind = "threads" as const;
  readonly pollsLiveness = false;
  readonly #i32: Int32Array;
  readonly #netId: string;
  readonly #local = new LocalWakers();
  readonly #remap: Remapper | null;

  constructor(i32: Int32Array, netId: string, remap: Remapper | null) {
    this.#i32 = i32;
    this.#netId = netId;
    this.#remap = remap;
  }

  get handle(): BusHandle | null {
    return this.#remap ? { kind: "threads", fd: this.#remap.fd } : null;
  }

  notify(index: number): void {
    Atomics.notify(this.#i32, index);
    this.#local.wake(index);
  }

  async sleep(index: number, expected: number, timeoutMs: number, keepProcess: boolean): Promise<boolean> {
    const w = Atomics.waitAsync(this.#i32, index, expected, timeoutMs);
    if (!w.async) return w.value !== "timed-out";
    const [woken, withdraw] = this.#local.add(index);
    if (keepProcess) holdProcess();
    try {
      return (await Promise.race([w.value, woken])) !== "timed-out";
    } finally {
      if (keepProcess) unhold();
      withdraw();
    }
  }

  async sleepAny(cells: [number, number][], timeoutMs: number): Promise<boolean> {
    const waits: Promise<string>[] = [];
    for (const [index, expected] of cells) {
      const w = Atomics.waitAsync(this.#i32, index, expected, timeoutMs);
      if (!w.async) return w.value !== "timed-out";
      waits.push(w.value);
    }
    holdProcess();
    try {
      return (await Promise.race(waits)) !== "timed-out";
    } finally {
      unhold();
      // Waiters left on the cells that did not fire: only this thread waits on them now.
      for (const [index] of cells) Atomics.notify(this.#i32, index);
    }
  }

  holdSlot(slot: number): Promise<(() => void) | null> {
    // A main thread's slot holds nothing (see _web_locks.ts); a Worker's holds its lock.
    return inWorker() ? hold(lockName(this.#netId, slot)) : Promise.resolve(() => {});
  }

  holderAlive(_slot: number): boolean {
    return true; // the end of a thread is seen by watchSlot
  }

  watchSlot(slot: number, onEnd: () => void): () => void {
    return watch(lockName(this.#netId, slot), onEnd);
  }

  mapSpans(spans: readonly Span[], length: number): Uint8Array | null {
    return this.#remap ? this.#remap.mapSpans(spans, length) : null;
  }

  unmapView(view: Uint8Array): boolean {
    return this.#remap ? this.#remap.unmapView(view) : false;
  }
}
