// The bus of a machine's network: one file whose pages every process that joins maps under its
// own WebAssembly memory (bus/_file_memory.ts), so the node and endpoint queue pairs, the heap,
// windows and mappings are the same between processes as between Workers.
//
// - Wake-ups: Atomics.notify reaches only the waiters of its own process, so a sleeper waits
//   on the cell with a futex (a nonblocking FFI call: a pool thread blocks, a promise
//   resolves), and a waker calls futex_wake on it, which reaches every process that maps the
//   page. A sleeper of this thread is also woken at once by a waker of this thread (LocalWakers).
//   A pending futex wait holds the process open, so a program's attached nodes keep it
//   running until they are closed, as an open socket would.
// - Liveness: each slot's holder takes an open file description lock on one byte of the file
//   (fcntl F_OFD_SETLK, past the memory's end). The kernel drops it when the process ends,
//   however it ends, so anyone can tell a live holder from a dead one (F_OFD_GETLK), without
//   pids that could be reused. A Worker of the process that holds a slot also holds a Web Lock,
//   for the other threads of its process (a Worker can end while its process lives on).

import type { Bus, BusHandle, Span } from "./_bus.ts";
import { FileMemory, openFile } from "./_file_memory.ts";
import { F_UNLCK, F_WRLCK, type Libc, libc } from "./_libc.ts";
import { hold, inWorker, lockName, watch } from "./_web_locks.ts";
import { hold as holdProcess, LocalWakers, unhold } from "../_wait.ts";
import { ScifError } from "../../errors.ts";

/** Where the locks are: past any memory a network can have (4 GiB). */
export const LOCK_CREATE = 2 ** 40; // held exclusively while a process creates or checks the memory
export const LOCK_PRESENT = 2 ** 40 + 1; // held shared by every process that has joined
const LOCK_SLOTS = 2 ** 40 + 4096; // + slot: held by the slot's holder

/** One thread's view of a machine's network. */
export class MachineBus implements Bus {
  readonly kind = "machine" as const;
  readonly pollsLiveness = true;
  readonly handle: BusHandle;
  readonly #i32: Int32Array;
  readonly #file: FileMemory;
  readonly #fd: number; // this thread's descriptor of the file: its slots' locks
  readonly #c: Libc;
  readonly #netId: string;
  readonly #local = new LocalWakers();
  readonly #mine = new Set<number>(); // the slots this thread holds

  constructor(i32: Int32Array, netId: string, file: FileMemory, path: string) {
    this.#i32 = i32;
    this.#netId = netId;
    this.#file = file;
    this.#c = libc();
    this.#fd = file.fd;
    this.handle = { kind: "machine", path };
  }

  notify(index: number): void {
    this.#c.futexWake(this.#file.pointer(index * 4));
    this.#local.wake(index);
  }

  async sleep(index: number, expected: number, timeoutMs: number, keepProcess: boolean): Promise<boolean> {
    if (Atomics.load(this.#i32, index) !== expected) return true;
    if (timeoutMs <= 0) return false;
    const at = this.#file.pointer(index * 4);
    const [woken, withdraw] = this.#local.add(index);
    const start = performance.now();
    const futex = this.#c.futexWait(at, expected, timeoutMs);
    if (keepProcess) holdProcess();
    let local = false;
    try {
      local = (await Promise.race([futex, woken])) === "ok";
    } finally {
      if (keepProcess) unhold();
      withdraw();
      // Woken in this thread: the pool thread still waits on the futex; let it go.
      if (local) this.#c.futexWake(at);
    }
    if (local || Atomics.load(this.#i32, index) !== expected) return true;
    return timeoutMs === Infinity || performance.now() - start < timeoutMs - 1;
  }

  async sleepAny(cells: [number, number][], timeoutMs: number): Promise<boolean> {
    for (const [index, expected] of cells) if (Atomics.load(this.#i32, index) !== expected) return true;
    const waits = cells.map(([index, expected]) => this.sleep(index, expected, timeoutMs, true));
    try {
      return await Promise.race(waits);
    } finally {
      // The waits left behind: only this thread waits on these cells now.
      for (const [index] of cells) this.notify(index);
    }
  }

  async holdSlot(slot: number): Promise<(() => void) | null> {
    if (!this.#c.lockByte(this.#fd, LOCK_SLOTS + slot, F_WRLCK)) return null;
    let releaseLock: (() => void) | null = () => {};
    if (inWorker()) releaseLock = await hold(lockName(this.#netId, slot));
    if (!releaseLock) {
      this.#c.lockByte(this.#fd, LOCK_SLOTS + slot, F_UNLCK);
      return null;
    }
    this.#mine.add(slot);
    return () => {
      this.#mine.delete(slot);
      releaseLock!();
      this.#c.lockByte(this.#fd, LOCK_SLOTS + slot, F_UNLCK);
    };
  }

  holderAlive(slot: number): boolean {
    // Our own lock does not conflict with us; anyone else's does, in this process or another.
    return this.#mine.has(slot) || this.#c.byteLocked(this.#fd, LOCK_SLOTS + slot, F_WRLCK);
  }

  watchSlot(slot: number, onEnd: () => void): () => void {
    return watch(lockName(this.#netId, slot), onEnd);
  }

  mapSpans(spans: readonly Span[], length: number): Uint8Array | null {
    return this.#file.mapSpans(spans, length);
  }

  unmapView(view: Uint8Array): boolean {
    return this.#file.unmapView(view);
  }
}

/** For a Worker given a machine network's memory: the bus maker over a descriptor of its own. */
export function machineBusFor(
  memory: WebAssembly.Memory,
  handle: BusHandle,
): (i32: Int32Array, id: string) => Bus {
  if (handle.kind !== "machine") throw new ScifError("EINVAL", "not a machine network's handle");
  const fd = openFile(handle.path);
  if (fd < 0) throw new ScifError("ENODEV", `cannot open ${handle.path} (errno ${libc().errno()})`);
  const file = FileMemory.adopt(memory, fd);
  return (i32, id) => new MachineBus(i32, id, file, handle.path);
}
