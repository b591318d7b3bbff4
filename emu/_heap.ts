// The page heap of an emulated network: 4 KiB pages shared by every thread and process.
//
// Page table: one i32 per page. A run's first page holds HEAD | USER? | (owner + 1) << 22 |
// pages; every other page of the run holds TAIL | the index of its head, so any address finds
// its run in one step; a free page holds 0. The owner is the slot that allocated the run, so
// what a slot's incarnation leaves behind can be reclaimed once nobody references it. USER
// marks memory a program asked for (ScifNode.allocate), the only memory a window may be made
// of: queue pairs and DMA queues are the network's own.
//
// Reference counts: one i32 per page, used at run heads. allocate() hands out a run with one
// reference (the allocating node's handle); a registered window and a transfer in flight
// through it each hold one more. The run is freed when the count drops to zero, so memory a
// window or a DMA still uses outlives free() and unregister.
//
// The table is guarded by one lock word in the header: the holder's slot + 1. Critical sections
// are a table scan, microseconds. A holder can die inside one (its process killed at any
// instruction), so a waiter that has spun for a while asks whether the holder is gone and, if
// so, takes the lock over and repairs the table first: writes happen in an order that leaves
// at worst TAIL entries whose head is not a run (an allocation that stopped before its head
// entry, a free that stopped after clearing it), and the repair clears those.

import { H_HEAP_HINT, H_HEAP_LOCK, type Layout, PAGE } from "./_layout.ts";

const USER = 1 << 31;
const HEAD = 1 << 30;
const TAIL = 1 << 29;
const OWNER_SHIFT = 22;
const OWNER_MASK = 0x7f;
const PAGES_MASK = (1 << OWNER_SHIFT) - 1; // runs of up to 16 GiB: more than any memory
const INDEX_MASK = TAIL - 1;
/** Owner id of runs allocated by the network itself rather than a slot. */
export const OWNER_NETWORK = 126;
/** Spins on a held lock before asking whether its holder is gone. */
const SPINS_BEFORE_ASKING = 1 << 16;

/** A run of pages, as runOf finds it. */
export interface Run {
  /** Address of its first byte. */
  readonly head: number;
  readonly bytes: number;
  /** The slot that allocated it (OWNER_NETWORK: the network). */
  readonly owner: number;
  /** Memory a program asked for (allocate), rather than a queue pair or a DMA queue. */
  readonly user: boolean;
}

/** Allocation over the page table of one network. */
export class PageHeap {
  readonly #l: Layout;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #lock: number;
  readonly #hint: number;
  readonly #table: number;
  readonly #refs: number;
  /** Says whether slot `slot` (a lock holder) is gone for good. */
  readonly #gone: (slot: number) => boolean;

  constructor(layout: Layout, buffer: ArrayBufferLike, gone: (slot: number) => boolean) {
    this.#l = layout;
    this.#i32 = new Int32Array(buffer);
    this.#u8 = new Uint8Array(buffer);
    this.#lock = (layout.header + H_HEAP_LOCK) >> 2;
    this.#hint = (layout.header + H_HEAP_HINT) >> 2;
    this.#table = layout.pageTable >> 2;
    this.#refs = layout.refTable >> 2;
    this.#gone = gone;
  }

  /** Allocates `bytes` (rounded up to pages), zeroed, for slot `owner`, with one reference;
   * `user`: memory of a program (see USER). Returns its address or 0. */
  alloc(bytes: number, owner: number, user = false): number {
    const want = Math.max(1, Math.ceil(bytes / PAGE));
    if (want > PAGES_MASK) return 0;
    let at = -1;
    this.#acquire(owner);
    try {
      const hint = Atomics.load(this.#i32, this.#hint);
      at = this.#find(hint, this.#l.heapPages, want);
      if (at < 0) at = this.#find(0, this.#l.heapPages, want);
      if (at >= 0) {
        // Tails first, the head last: a holder that dies in between leaves only orphan tails.
        for (let p = at + 1; p < at + want; p++) Atomics.store(this.#i32, this.#table + p, TAIL | at);
        Atomics.store(this.#i32, this.#refs + at, 1);
        const head = HEAD | (user ? USER : 0) | ((owner + 1) << OWNER_SHIFT) | want;
        Atomics.store(this.#i32, this.#table + at, head);
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

  /** The run containing byte address `addr` (any value: a peer may have said it), or null when
   * the page is free or not in the heap. */
  runOf(addr: number): Run | null {
    if (!Number.isSafeInteger(addr)) return null;
    const page = Math.floor((addr - this.#l.heap) / PAGE);
    if (page < 0 || page >= this.#l.heapPages) return null;
    let e = Atomics.load(this.#i32, this.#table + page);
    let head = page;
    if (e & TAIL) {
      head = e & INDEX_MASK;
      if (head >= this.#l.heapPages) return null;
      e = Atomics.load(this.#i32, this.#table + head);
    }
    if (!(e & HEAD)) return null;
    const pages = e & PAGES_MASK;
    if (page >= head + pages) return null;
    return {
      head: this.#l.heap + head * PAGE,
      bytes: pages * PAGE,
      owner: ((e >>> OWNER_SHIFT) & OWNER_MASK) - 1,
      user: (e & USER) !== 0,
    };
  }

  /** One more reference on the run whose head is at `head`. */
  retain(head: number): void {
    Atomics.add(this.#i32, this.#refs + (head - this.#l.heap) / PAGE, 1);
  }

  /** One reference less on the run whose head is at `head`; the last one frees it (slot `by`
   * is the one that lets go: it holds the lock meanwhile). */
  release(head: number, by: number): void {
    if (Atomics.sub(this.#i32, this.#refs + (head - this.#l.heap) / PAGE, 1) === 1) this.#free(head, by);
  }

  /** The run's reference count (for tests and accounting). */
  refs(head: number): number {
    return Atomics.load(this.#i32, this.#refs + (head - this.#l.heap) / PAGE);
  }

  #free(addr: number, by: number): void {
    const page = (addr - this.#l.heap) / PAGE;
    this.#acquire(by);
    try {
      const pages = Atomics.load(this.#i32, this.#table + page) & PAGES_MASK;
      // The head first: a holder that dies in between leaves only orphan tails.
      for (let p = page; p < page + pages; p++) Atomics.store(this.#i32, this.#table + p, 0);
      if (page < Atomics.load(this.#i32, this.#hint)) Atomics.store(this.#i32, this.#hint, page);
    } finally {
      this.#release();
    }
  }

  /** Frees every run slot `owner` allocated, whatever its references (nobody references the
   * slot's ended incarnation any more). Returns the pages freed. */
  reclaim(owner: number, by: number): number {
    let freed = 0;
    this.#acquire(by);
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
        p += e & HEAD ? Math.max(1, e & PAGES_MASK) : 1;
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
      if (spins >= SPINS_BEFORE_ASKING && (spins & 0xffff) === 0 && this.#gone(holder - 1)) {
        if (Atomics.compareExchange(this.#i32, this.#lock, holder, me) === holder) {
          this.#repair();
          return;
        }
      }
    }
  }

  /** After taking the lock from a dead holder: clears the entries its unfinished critical
   * section left (tails whose head is not a run that covers them). */
  #repair(): void {
    for (let p = 0; p < this.#l.heapPages; p++) {
      const e = Atomics.load(this.#i32, this.#table + p);
      if (!(e & TAIL)) continue;
      const head = e & INDEX_MASK;
      const h = head < this.#l.heapPages ? Atomics.load(this.#i32, this.#table + head) : 0;
      if (!(h & HEAD) || head >= p || head + (h & PAGES_MASK) <= p) {
        Atomics.store(this.#i32, this.#table + p, 0);
      }
    }
    Atomics.store(this.#i32, this.#hint, 0);
  }

  #release(): void {
    Atomics.store(this.#i32, this.#lock, 0);
  }
}
