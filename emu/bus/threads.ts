// The bus of a network of threads (createNetwork): one program's shared WebAssembly memory.
// Dispatchers wait on their doorbells with Atomics.waitAsync (a waiter Worker where the runtime
// has none, bus/_wait_async.ts) and ringers use Atomics.notify,
// which reach every thread of the program; a slot attached in a Worker holds a Web Lock whose
// release is its end. Where
// the program may use FFI, the memory is backed by a file without a name (memfd, see
// bus/_file_memory.ts), so that windows whose memory is apart can be mapped as one range.

import type { Bus, BusHandle, Span } from "./_bus.ts";
import { hold, inWorker, lockName, watch } from "./_web_locks.ts";
import { LocalWakers } from "../_wait.ts";
import { waitAsync } from "./_wait_async.ts";

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
  readonly #mine = new Set<number>(); // the slots this thread holds
  readonly #waiters = new Map<number, Promise<"ok">>(); // the runtime waiter of each doorbell

  constructor(i32: Int32Array, netId: string, remap: Remapper | null) {
    this.#i32 = i32;
    this.#netId = netId;
    this.#remap = remap;
  }

  get handle(): BusHandle | null {
    return this.#remap ? { kind: "threads", fd: this.#remap.fd } : null;
  }

  notify(index: number): void {
    this.#local.wake(index);
  }

  wakeAll(): void {
    this.#local.wakeAll();
  }

  sleep(index: number, expected: number, timeoutMs: number, keepProcess: boolean): Promise<boolean> {
    return this.#local.sleep(this.#i32, index, expected, timeoutMs, keepProcess);
  }

  sleepAny(cells: [number, number][], timeoutMs: number): Promise<boolean> {
    return this.#local.sleepAny(this.#i32, cells, timeoutMs);
  }

  async waitRing(index: number, timeoutMs: number): Promise<boolean> {
    if (Atomics.load(this.#i32, index) !== 1) return true;
    // One runtime waiter per doorbell at a time, kept across sleeps until a notify uses it up:
    // a waitAsync costs native memory per call, and a dispatcher sleeps after every message.
    let pending = this.#waiters.get(index);
    if (!pending) {
      // (Atomics.waitAsync, or a waiter Worker where the runtime has none: Firefox ESR.)
      const w = waitAsync(this.#i32, index, 1);
      if (!w) return true;
      // Its answer wakes whoever sleeps on the cell then (racing the waiter itself every time
      // would pile a reaction on it per sleep).
      pending = w.then(() => {
        this.#waiters.delete(index);
        this.#local.wake(index);
        return "ok" as const;
      });
      this.#waiters.set(index, pending);
    }
    return await this.#local.sleep(this.#i32, index, 1, timeoutMs, false);
  }

  holds(slot: number): boolean {
    return this.#mine.has(slot);
  }

  ring(index: number, slot: number): void {
    if (this.#mine.has(slot)) this.#local.wake(index);
    else Atomics.notify(this.#i32, index);
  }

  async holdSlot(slot: number): Promise<(() => void) | null> {
    // A main thread's slot holds nothing (see _web_locks.ts); a Worker's holds its lock.
    const release = inWorker() ? await hold(lockName(this.#netId, slot)) : () => {};
    if (!release) return null;
    this.#mine.add(slot);
    return () => {
      this.#mine.delete(slot);
      release();
    };
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
