// The page heap of an emulated network: 4 KiB pages shared by every thread.
//
// One i32 per page. A run's first page holds `pages | (owner + 1) << 24`; every other page of
// the run, and every free page, holds 0 and is only ever skipped over from a run's head, so
// a free page is a 0 that no head covers. The owner is the node that allocated the run, so a
// node id that is attached again can reclaim what its lost predecessor left behind.
//
// The table is guarded by one lock word in the header (holder's node + 1). Critical sections
// are a table scan, microseconds; a holder that dies inside one would block the others, so a
// waiter that has spun for a long time and sees the holder's node lost takes the lock over.

import { H_HEAP_HINT, H_HEAP_LOCK, type Layout, N_STATE, NODE_LOST, nodeField, PAGE } from "./_layout.ts";

const OWNER_SHIFT = 24;
const PAGES_MASK = (1 << OWNER_SHIFT) - 1;
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

  constructor(layout: Layout, buffer: ArrayBufferLike) {
    this.#l = layout;
    this.#i32 = new Int32Array(buffer);
    this.#u8 = new Uint8Array(buffer);
    this.#lock = (layout.header + H_HEAP_LOCK) >> 2;
    this.#hint = (layout.header + H_HEAP_HINT) >> 2;
    this.#table = layout.pageTable >> 2;
  }

  /** Allocates `bytes` (rounded up to pages), zeroed, for `owner`. Returns its address or 0. */
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
        Atomics.store(this.#i32, this.#table + at, want | ((owner + 1) << OWNER_SHIFT));
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

  /** Frees the run that starts at `addr`. */
  free(addr: number): void {
    const page = (addr - this.#l.heap) / PAGE;
    this.#acquire(OWNER_NETWORK);
    try {
      Atomics.store(this.#i32, this.#table + page, 0);
      if (page < Atomics.load(this.#i32, this.#hint)) Atomics.store(this.#i32, this.#hint, page);
    } finally {
      this.#release();
    }
  }

  /** Frees every run `owner` allocated (a node id attached again after its loss). */
  reclaim(owner: number): number {
    let freed = 0;
    this.#acquire(owner);
    try {
      for (let p = 0; p < this.#l.heapPages;) {
        const e = Atomics.load(this.#i32, this.#table + p);
        if (e === 0) {
          p++;
          continue;
        }
        if ((e >>> OWNER_SHIFT) - 1 === owner) {
          Atomics.store(this.#i32, this.#table + p, 0);
          freed += e & PAGES_MASK;
        }
        p += e & PAGES_MASK;
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
      if (e === 0) p++;
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
        p += e & PAGES_MASK;
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
