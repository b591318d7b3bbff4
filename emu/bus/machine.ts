// The bus of a machine's network: one file whose pages every process that joins maps under its
// own WebAssembly memory (bus/_file_memory.ts), so the node and endpoint queue pairs, the heap,
// windows and mappings are the same between processes as between Workers.
//
// - Wake-ups: what crosses threads goes to a slot's doorbell (see _bus.ts). Atomics.notify
//   reaches only the waiters of its own process, so a dispatcher waits on its doorbell with
//   Atomics.waitAsync and this thread's relay (bus/_relay.ts) waits on the same cell with a
//   futex; a ringer calls Atomics.notify (its own process) and futex_wake (every process that
//   maps the page: their relays then notify their dispatchers). The relay is a Worker, so a
//   program's attached nodes keep it running until they are closed, as an open socket would;
//   it stops with the thread's last slot.
// - Liveness: each slot's holder takes an open file description lock on one byte of the file
//   (fcntl F_OFD_SETLK, past the memory's end). The kernel drops it when the process ends,
//   however it ends, so anyone can tell a live holder from a dead one (F_OFD_GETLK), without
//   pids that could be reused. A Worker of the process that holds a slot also holds a Web Lock,
//   for the other threads of its process (a Worker can end while its process lives on).

import type { Bus, BusHandle, Span } from "./_bus.ts";
import { FileMemory, openFile } from "./_file_memory.ts";
import { FutexRelay } from "./_relay.ts";
import { F_UNLCK, F_WRLCK, type Libc, libc } from "./_libc.ts";
import { hold, inWorker, lockName, watch } from "./_web_locks.ts";
import { LocalWakers } from "../_wait.ts";
import { ScifError } from "../../errors.ts";

/** Where the locks are: past any memory a network can have (4 GiB). */
export const LOCK_CREATE = 2 ** 40; // held exclusively while a process creates or checks the memory
export const LOCK_PRESENT = 2 ** 40 + 1; // held shared by every process that has joined
const LOCK_SLOTS = 2 ** 40 + 4096; // + slot: held by the slot's holder
/** How long a sleep lasts at most when the relay's table is full (it then looks again). */
const UNWATCHED_MS = 10;

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
  #relay: FutexRelay | null = null;
  readonly #waiters = new Map<number, Promise<"ok">>(); // the runtime waiter of each doorbell
  readonly #watched = new Map<number, number>(); // the relay's entry of each doorbell

  constructor(i32: Int32Array, netId: string, file: FileMemory, path: string) {
    this.#i32 = i32;
    this.#netId = netId;
    this.#file = file;
    this.#c = libc();
    this.#fd = file.fd;
    this.handle = { kind: "machine", path };
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

  #relayed(): FutexRelay {
    return this.#relay ??= new FutexRelay(this.#file.memory, (at) => this.#c.futexWake(at));
  }

  async waitRing(index: number, timeoutMs: number): Promise<boolean> {
    if (Atomics.load(this.#i32, index) !== 1) return true;
    // As in threads.ts, one runtime waiter per doorbell, kept until a notify uses it up; the
    // relay watches the same cell (while it is 1) for rings of other processes, and is told to
    // look again only when a ring has woken it.
    let pending = this.#waiters.get(index);
    if (!pending) {
      const relay = this.#relayed();
      let k = this.#watched.get(index);
      if (k === undefined) {
        k = relay.watch(index, 1);
        this.#watched.set(index, k);
      } else relay.touch();
      const w = Atomics.waitAsync(this.#i32, index, 1);
      if (!w.async) return true;
      // Its answer wakes whoever sleeps on the cell then (racing the waiter itself every time
      // would pile a reaction on it per sleep).
      pending = w.value.then(() => {
        this.#waiters.delete(index);
        this.#local.wake(index);
        return "ok" as const;
      });
      this.#waiters.set(index, pending);
    }
    // A doorbell the relay could not watch (its table is full) is looked at every few ms.
    if (this.#watched.get(index)! < 0) {
      await this.#local.sleep(this.#i32, index, 1, Math.min(timeoutMs, UNWATCHED_MS), false);
      return true;
    }
    return await this.#local.sleep(this.#i32, index, 1, timeoutMs, false);
  }

  holds(slot: number): boolean {
    return this.#mine.has(slot);
  }

  ring(index: number, slot: number): void {
    if (this.#mine.has(slot)) {
      this.#local.wake(index);
      return;
    }
    Atomics.notify(this.#i32, index);
    this.#c.futexWake(this.#file.pointer(index * 4));
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
      if (this.#mine.size === 0) {
        // The thread's last slot: its relay would keep the process running.
        this.#relay?.stop();
        this.#relay = null;
        this.#watched.clear();
        for (const index of this.#waiters.keys()) Atomics.notify(this.#i32, index);
      }
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
