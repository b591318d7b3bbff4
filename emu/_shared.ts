// One thread's view of one emulated network: the shared memory, typed views over it, the
// WebAssembly core instantiated over it, the layout, the page heap and the bus (emu/bus/). A
// thread that attaches several nodes of one network shares one view.

import { type CoreExports, instantiateCore } from "../core/scif_core.ts";
import { ScifError } from "../errors.ts";
import type { Bus } from "./bus/_bus.ts";
import {
  computeLayout,
  H_CONNECT_TIMEOUT_MS,
  H_FENCE_TIMEOUT_MS,
  H_KIND,
  H_MAGIC,
  H_NET_ID,
  H_NODES,
  H_PRIVILEGED,
  H_RING_BYTES,
  H_SLOTS,
  H_SPIN,
  H_VERSION,
  type Layout,
  MAX_NODES,
  MAX_SLOTS,
  NET_BASE,
  NET_MACHINE,
  NET_MAGIC,
  NET_THREADS,
  NET_VERSION,
  S_DOORBELL,
  S_EPOCH,
  S_SLEEPING,
  S_STATE,
  S_WAKES,
  SLOT_ACTIVE,
  SLOT_ATTACHING,
  slotField,
} from "./_layout.ts";
import { PageHeap } from "./_heap.ts";

/** The header of a network memory, checked; null when it does not hold a complete network. */
export function readHeader(
  i32: Int32Array,
  bytes: number,
): { layout: Layout; kind: number } | null {
  const h = (f: number) => Atomics.load(i32, (NET_BASE + f) >> 2);
  if (h(H_MAGIC) !== NET_MAGIC || h(H_VERSION) !== NET_VERSION) return null;
  const nodes = h(H_NODES);
  const slots = h(H_SLOTS);
  const ring = h(H_RING_BYTES);
  const kind = h(H_KIND);
  if (
    !(nodes >= 1 && nodes <= MAX_NODES && slots >= 1 && slots <= MAX_SLOTS) ||
    !(ring >= 4096 && ring <= 64 << 20 && (ring & (ring - 1)) === 0) ||
    (kind !== NET_THREADS && kind !== NET_MACHINE)
  ) return null;
  const layout = computeLayout(nodes, slots, bytes, ring);
  return layout ? { layout, kind } : null;
}

/** A thread's view of a network. */
export class EmuShared {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly core: CoreExports;
  readonly layout: Layout;
  /** NET_THREADS or NET_MACHINE. */
  readonly kind: number;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly heap: PageHeap;
  readonly bus: Bus;
  readonly connectTimeoutMs: number;
  /** How long a fence wait waits (the kernel's SCIF_NODE_ALIVE_TIMEOUT) before ETIMEDOUT. */
  readonly fenceTimeoutMs: number;
  readonly spins: number;
  /** The network's identity: names its Web Locks. */
  readonly id: string;
  readonly privileged: boolean;

  private constructor(
    memory: WebAssembly.Memory,
    module: WebAssembly.Module,
    core: CoreExports,
    makeBus: (i32: Int32Array, id: string) => Bus,
  ) {
    this.memory = memory;
    this.module = module;
    this.core = core;
    const buffer = memory.buffer;
    this.u8 = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer);
    const header = readHeader(this.i32, buffer.byteLength);
    if (!header) throw new ScifError("EINVAL", "the memory does not hold a scif emulated network");
    this.layout = header.layout;
    this.kind = header.kind;
    const h = (f: number) => Atomics.load(this.i32, (NET_BASE + f) >> 2);
    this.connectTimeoutMs = h(H_CONNECT_TIMEOUT_MS);
    this.fenceTimeoutMs = h(H_FENCE_TIMEOUT_MS);
    this.id = [0, 4, 8, 12].map((o) => (h(H_NET_ID + o) >>> 0).toString(16).padStart(8, "0")).join("");
    this.spins = h(H_SPIN);
    this.privileged = h(H_PRIVILEGED) !== 0;
    this.bus = makeBus(this.i32, this.id);
    this.heap = new PageHeap(this.layout, buffer, (slot) => this.slotGone(slot));
  }

  /** The thread's view of the network in `memory` (made once per thread and memory); `makeBus`
   * makes this thread's bus for it the first time. */
  static async of(
    memory: WebAssembly.Memory,
    module: WebAssembly.Module,
    makeBus: (i32: Int32Array, id: string) => Bus,
  ): Promise<EmuShared> {
    let shared = views.get(memory.buffer);
    if (!shared) {
      const core = await instantiateCore(module, memory);
      shared = views.get(memory.buffer) ?? new EmuShared(memory, module, core, makeBus);
      views.set(memory.buffer, shared);
    }
    return shared;
  }

  /** Loads the i32 at byte address `addr`. */
  load(addr: number): number {
    return Atomics.load(this.i32, addr >> 2);
  }

  /** Stores the i32 at byte address `addr`. */
  store(addr: number, value: number): void {
    Atomics.store(this.i32, addr >> 2, value);
  }

  /** Compare-and-swap on the i32 at byte address `addr`; returns the value found. */
  cas(addr: number, expected: number, value: number): number {
    return Atomics.compareExchange(this.i32, addr >> 2, expected, value);
  }

  /** Adds to the i32 at `addr` and wakes this thread's sleepers on it (a cell only this thread
   * waits on: a slot's event cell). */
  ring(addr: number): void {
    Atomics.add(this.i32, addr >> 2, 1);
    this.bus.notify(addr >> 2);
  }

  /** Wakes this thread's sleepers on the i32 at `addr` (after a store the caller made);
   * sleepers of other threads are woken by ringing their slot (ringSlot). */
  notify(addr: number): void {
    this.bus.notify(addr >> 2);
  }

  /** Sleeps on the i32 at `addr` while it is `expected` (see Bus.sleep: until this thread
   * notifies it, or a ring of one of its slots wakes every sleeper of the thread). */
  sleep(addr: number, expected: number, timeoutMs = Infinity, keepProcess = true): Promise<boolean> {
    return this.bus.sleep(addr >> 2, expected, timeoutMs, keepProcess);
  }

  /** Rings slot `slot`'s doorbell: its dispatcher looks at its mail and the tables again. The
   * wake-up (a system call on a machine's network) is made only when the dispatcher sleeps:
   * it announces that in S_SLEEPING (1) before its last look at the doorbell, and we bump the
   * doorbell before we clear S_SLEEPING (both sequentially consistent), so one of us sees the
   * other; the dispatcher sleeps on S_SLEEPING itself. */
  ringSlot(slot: number): void {
    const db = slotField(this.layout, slot, S_DOORBELL);
    Atomics.add(this.i32, db >> 2, 1);
    // The first ringer of a sleeping dispatcher clears its sleeping cell and wakes it.
    const sleeping = slotField(this.layout, slot, S_SLEEPING);
    if (Atomics.compareExchange(this.i32, sleeping >> 2, 1, 0) === 1) this.bus.ring(sleeping >> 2, slot);
  }

  /** Wakes the calls sleeping in the thread of slot `slot` (they look again at what they wait
   * for: the data or room of a ring, a transfer's completion). A waker of that same thread has
   * woken them already (notify), so only other threads ring: a ring that made the slot's own
   * sleepers ring back would be a loop (two writers that wait for room, in one thread). */
  wakeSlot(slot: number): void {
    if (this.bus.holds(slot)) return;
    Atomics.add(this.i32, slotField(this.layout, slot, S_WAKES) >> 2, 1);
    this.ringSlot(slot);
  }

  /** Rings every slot's doorbell, so that each looks at the node and slot tables again. */
  ringAll(): void {
    for (let s = 0; s < this.layout.slots; s++) this.ringSlot(s);
  }

  /** Field `field` of slot `slot`. */
  slot(slot: number, field: number): number {
    return this.load(slotField(this.layout, slot, field));
  }

  /** Whether slot `slot`'s incarnation has ended (or never was): it is not attached, or its
   * holder's process is gone. A value that names no slot is gone too. */
  slotGone(slot: number): boolean {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.layout.slots) return true;
    const state = this.slot(slot, S_STATE);
    if (state !== SLOT_ACTIVE && state !== SLOT_ATTACHING) return true;
    return !this.bus.holderAlive(slot);
  }

  /** Slot `slot`'s incarnation now. */
  slotEpoch(slot: number): number {
    return this.slot(slot, S_EPOCH);
  }
}

const views = new WeakMap<ArrayBufferLike, EmuShared>();
