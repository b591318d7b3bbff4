// The page heap of an emulated network: 4 KiB pages shared by every thread.
//
// Page table: one i32 per page. A run's first page holds HEAD | (owner + 1) << 24 | pages;
// every other page of the run holds TAIL | the index of its head, so any address finds its
// run in one step; a free page holds 0. The owner is the node that allocated the run, so a
// node id that is attached again can reclaim what its previous incarnation left behind.
//
// Reference counts: one i32 per page, used at run heads. allocate() hands out a run with one
// reference (the allocating node's handle); a registered window and a transfer in flight
// through it each hold one more. The run is freed when the count drops to zero, so memory a
// window or a DMA still uses outlives free() and unregister.
//
// The table is guarded by one lock word in the header (holder's node + 1). Critical sections
// are a table scan, microseconds; a holder that dies inside one would block the others, so a
// waiter that has spun for a long time and sees the holder's node lost takes the lock over.

import { H_HEAP_HINT, H_HEAP_LOCK, type Layout, N_STATE, NODE_LOST, nodeField, PAGE } from "./_layout.ts";

const HEAD = 1 << 30;
const TAIL = 1 << 29;
const OWNER_SHIFT = 22;
const OWNER_MASK = 0x7f;
const PAGES_MASK = (1 << OWNER_SHIFT) - 1; // runs of up to 16 GiB: more than any memory
const INDEX_MASK = TAIL - 1;
/** Owner id of runs allocated by the network itself rather than a node. */
export const OWNER_NETWORK = 126;

/** Allocation over the page table of one network. */
export class PageHeap {
  readonly #l: Layout;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #lock: number;
  readonly #hint: number;
  readonly #table: number;
  readonly #refs: number;

  constructor(layout: Layout, buffer: ArrayBufferLike) {
    this.#l = layout;
    this.#i32 = new Int32Array(buffer);
    this.#u8 = new Uint8Array(buffer);
    this.#lock = (layout.header + H_HEAP_LOCK) >> 2;
    this.#hint = (layout.header + H_HEAP_HINT) >> 2;
    this.#table = layout.pageTable >> 2;
    this.#refs = layout.refTable >> 2;
  }

  /** Allocates `bytes` (rounded up to pages), zeroed, for `owner`, with one reference.
   * Returns its address or 0. */
  alloc(bytes: number, owner: number): number {
    const want = Math.max(1, Math.ceil(bytes / PAGE));
    if (want > PAGES_MASK) return 0;
    let at = -1;
    this.#acquire(owner);
    try {
      const hint = Atomics.load(this.#i32, this.#hint);
      at = this.#find(hint, this.#l.heapPages, want);
      if (at < 0) at = this.#find(0, this.#l.heapPages, want);
      if (at >= 0) {
        for (let p = at + 1; p < at + want; p++) Atomics.store(this.#i32, this.#table + p, TAIL | at);
        Atomics.store(this.#i32, this.#refs + at, 1);
        Atomics.store(this.#i32, this.#table + at, HEAD | ((owner + 1) << OWNER_SHIFT) | want);
        Atomics.store(this.#i32, this.#hint, at + want);
      }
    } finally {
      this.#release();
    }
    if (at < 0) return 0;
    const addr = this.#l.heap + at * PAGE;
    this.#u8.fill(0, addr, addr + want * PAGE);
    return addr;
  }

  /** The run containing byte address `addr`: [head address, bytes], or null when the page
   * is free or outside the heap. */
  runOf(addr: number): [number, number] | null {
    const page = Math.floor((addr - this.#l.heap) / PAGE);
    if (page < 0 || page >= this.#l.heapPages) return null;
    let e = Atomics.load(this.#i32, this.#table + page);
    let head = page;
    if (e & TAIL) {
      head = e & INDEX_MASK;
      e = Atomics.load(this.#i32, this.#table + head);
    }
    if (!(e & HEAD)) return null;
    return [this.#l.heap + head * PAGE, (e & PAGES_MASK) * PAGE];
  }

  /** One more reference on the run whose head is at `head`. */
  retain(head: number): void {
    Atomics.add(this.#i32, this.#refs + (head - this.#l.heap) / PAGE, 1);
  }

  /** One reference less on the run whose head is at `head`; the last one frees it. */
  release(head: number): void {
    if (Atomics.sub(this.#i32, this.#refs + (head - this.#l.heap) / PAGE, 1) === 1) this.#free(head);
  }

  /** The run's reference count (for tests and accounting). */
  refs(head: number): number {
    return Atomics.load(this.#i32, this.#refs + (head - this.#l.heap) / PAGE);
  }

  #free(addr: number): void {
    const page = (addr - this.#l.heap) / PAGE;
    this.#acquire(OWNER_NETWORK);
    try {
      const pages = Atomics.load(this.#i32, this.#table + page) & PAGES_MASK;
      for (let p = page; p < page + pages; p++) Atomics.store(this.#i32, this.#table + p, 0);
      if (page < Atomics.load(this.#i32, this.#hint)) Atomics.store(this.#i32, this.#hint, page);
    } finally {
      this.#release();
    }
  }

  /** Frees every run `owner` allocated, whatever its references (a node id attached again:
   * everyone has released its previous incarnation). */
  reclaim(owner: number): number {
    let freed = 0;
    this.#acquire(owner);
    try {
      for (let p = 0; p < this.#l.heapPages;) {
        const e = Atomics.load(this.#i32, this.#table + p);
        if (!(e & HEAD)) {
          p++;
          continue;
        }
        const pages = e & PAGES_MASK;
        if (((e >>> OWNER_SHIFT) & OWNER_MASK) - 1 === owner) {
          for (let q = p; q < p + pages; q++) Atomics.store(this.#i32, this.#table + q, 0);
          freed += pages;
        }
        p += pages;
      }
      Atomics.store(this.#i32, this.#hint, 0);
    } finally {
      this.#release();
    }
    return freed;
  }

  /** Pages in use, for tests and memory accounting. */
  usedPages(): number {
    let used = 0;
    for (let p = 0; p < this.#l.heapPages;) {
      const e = Atomics.load(this.#i32, this.#table + p);
      if (!(e & HEAD)) p++;
      else {
        used += e & PAGES_MASK;
        p += e & PAGES_MASK;
      }
    }
    return used;
  }

  #find(from: number, to: number, want: number): number {
    let run = 0;
    let start = from;
    for (let p = from; p < to;) {
      const e = Atomics.load(this.#i32, this.#table + p);
      if (e !== 0) {
        p += e & HEAD ? e & PAGES_MASK : 1;
        run = 0;
        start = p;
        continue;
      }
      if (++run === want) return start;
      p++;
    }
    return -1;
  }

  #acquire(owner: number): void {
    const me = owner + 1;
    for (let spins = 0;; spins++) {
      const holder = Atomics.compareExchange(this.#i32, this.#lock, 0, me);
      if (holder === 0) return;
      if (spins > 1 << 22 && holder - 1 < this.#l.nodes) {
        const state = Atomics.load(this.#i32, nodeField(this.#l, holder - 1, N_STATE) >> 2);
        if (state === NODE_LOST && Atomics.compareExchange(this.#i32, this.#lock, holder, me) === holder) {
          return;
        }
      }
    }
  }

  #release(): void {
    Atomics.store(this.#i32, this.#lock, 0);
  }
}
