// The page heap (emu/_heap.ts) on a SharedArrayBuffer of its own, in one thread: allocation,
// references, freeing and reuse, exhaustion, reclaim, and the takeover of a lock whose holder
// is gone.
import { assert, assertEquals } from "@std/assert";
import { OWNER_NETWORK, PageHeap } from "./_heap.ts";
import { computeLayout, H_HEAP_LOCK, type Layout, PAGE } from "./_layout.ts";

/** A heap over fresh memory; `gone(slot)` answers whether a lock holder is gone. */
function heapOf(gone: (slot: number) => boolean = () => false) {
  const layout: Layout = computeLayout(1, 4, 2 << 20, 8192)!;
  const buffer = new SharedArrayBuffer(layout.memoryBytes);
  const heap = new PageHeap(layout, buffer, gone);
  const i32 = new Int32Array(buffer);
  const u8 = new Uint8Array(buffer);
  /** The address of page `p` of the heap. */
  const page = (p: number) => layout.heap + p * PAGE;
  return { layout, heap, i32, u8, page, lock: (layout.header + H_HEAP_LOCK) >> 2 };
}

Deno.test("PageHeap: alloc rounds up to pages, hands out runs in order, with one reference", () => {
  const { heap, page } = heapOf();
  const a = heap.alloc(1, 0);
  const b = heap.alloc(PAGE + 1, 1, true);
  const c = heap.alloc(0, 2); // at least a page
  assertEquals([a, b, c], [page(0), page(1), page(3)]);
  assertEquals(heap.runOf(a), { head: a, bytes: PAGE, owner: 0, user: false });
  assertEquals(heap.runOf(b + PAGE + 5), { head: b, bytes: 2 * PAGE, owner: 1, user: true });
  assertEquals(heap.runOf(c)?.bytes, PAGE);
  assertEquals(heap.refs(a), 1);
  assertEquals(heap.usedPages(), 4);
  assertEquals(heap.alloc(PAGE, OWNER_NETWORK) !== 0 && heap.runOf(page(4))?.owner, OWNER_NETWORK);
});

Deno.test("PageHeap: runOf is null for a free page, outside the heap, or for no address at all", () => {
  const { heap, layout, page } = heapOf();
  heap.alloc(PAGE, 0);
  assertEquals(heap.runOf(page(1)), null); // free
  assertEquals(heap.runOf(layout.heap - 1), null);
  assertEquals(heap.runOf(page(layout.heapPages)), null);
  assertEquals(heap.runOf(1.5), null);
  assertEquals(heap.runOf(NaN), null);
  assertEquals(heap.runOf(2 ** 60), null);
});

Deno.test("PageHeap: the last reference frees the run; freed pages are reused, zeroed", () => {
  const { heap, u8, page } = heapOf();
  const a = heap.alloc(2 * PAGE, 0);
  heap.retain(a); // a window over it
  assertEquals(heap.refs(a), 2);
  u8.fill(0xab, a, a + 2 * PAGE);
  heap.release(a, 0); // free(): the window still holds it
  assertEquals(heap.runOf(a)?.bytes, 2 * PAGE);
  assertEquals(heap.usedPages(), 2);
  heap.release(a, 0); // unregister: gone
  assertEquals(heap.runOf(a), null);
  assertEquals(heap.usedPages(), 0);
  const again = heap.alloc(2 * PAGE, 1);
  assertEquals(again, page(0));
  assertEquals(u8.subarray(again, again + 2 * PAGE).every((x) => x === 0), true);
});

Deno.test("PageHeap: a freed run's pages join the free pages next to it (a larger run fits there)", () => {
  const { heap, page } = heapOf();
  const [a, b, c, d] = [heap.alloc(PAGE, 0), heap.alloc(PAGE, 0), heap.alloc(PAGE, 0), heap.alloc(PAGE, 0)];
  assertEquals([a, b, c, d], [page(0), page(1), page(2), page(3)]);
  heap.release(b, 0);
  heap.release(c, 0);
  // Pages 1 and 2 are one free range of two pages.
  assertEquals(heap.alloc(2 * PAGE, 1), page(1));
  // A range too large for any hole goes after the last run.
  heap.release(a, 0);
  assertEquals(heap.alloc(2 * PAGE, 1), page(4));
  // The search starts where the last allocation ended (a free below that moves it down).
  assertEquals(heap.alloc(PAGE, 1), page(6));
  heap.release(d, 0);
  assertEquals(heap.alloc(2 * PAGE, 1), page(7));
  assertEquals(heap.alloc(PAGE, 1), page(9));
  heap.release(page(7), 1);
  assertEquals(heap.alloc(3 * PAGE, 1), page(10)); // page 3 and pages 7..8 are apart: no range of 3
  assertEquals(heap.alloc(PAGE, 1), page(13));
});

Deno.test("PageHeap: exhaustion: alloc returns 0 when no free range is long enough, and works again after a free", () => {
  const { heap, layout, page } = heapOf();
  assertEquals(heap.alloc((layout.heapPages + 1) * PAGE, 0), 0);
  assertEquals(heap.alloc(2 ** 40, 0), 0); // beyond any run's page count
  const all = heap.alloc(layout.heapPages * PAGE, 0);
  assertEquals(all, page(0));
  assertEquals(heap.usedPages(), layout.heapPages);
  assertEquals(heap.alloc(1, 1), 0);
  heap.release(all, 0);
  const half = heap.alloc(Math.floor(layout.heapPages / 2) * PAGE, 1);
  assertEquals(half, page(0));
  const rest = layout.heapPages - Math.floor(layout.heapPages / 2);
  assertEquals(heap.alloc((rest + 1) * PAGE, 1), 0); // fragment too short
  assertEquals(heap.alloc(rest * PAGE, 1) !== 0, true);
  assertEquals(heap.usedPages(), layout.heapPages);
});

Deno.test("PageHeap: reclaim frees every run of one owner whatever its references, and only those", () => {
  const { heap, page } = heapOf();
  const a = heap.alloc(PAGE, 2);
  const b = heap.alloc(3 * PAGE, 1);
  const c = heap.alloc(2 * PAGE, 2);
  heap.retain(c);
  heap.retain(c);
  assertEquals(heap.reclaim(2, 0), 3);
  assertEquals([heap.runOf(a), heap.runOf(c)], [null, null]);
  assertEquals(heap.runOf(b)?.owner, 1);
  assertEquals(heap.usedPages(), 3);
  assertEquals(heap.reclaim(2, 0), 0);
  assertEquals(heap.alloc(PAGE, 3), page(0));
});

Deno.test("PageHeap: a lock held by a slot that is gone is taken over, after asking, and the table repaired", () => {
  const asked: number[] = [];
  let answer = false;
  const { heap, i32, layout, page, lock } = heapOf((slot) => {
    asked.push(slot);
    const r = answer;
    answer = true; // alive when first asked, gone the next time
    return r;
  });
  const a = heap.alloc(2 * PAGE, 0);
  // Slot 3 died inside a critical section: it holds the lock and left an allocation of pages
  // 5..7 that stopped before its head entry (tails whose head is not a run).
  const TAIL = 1 << 29;
  const table = layout.pageTable >> 2;
  for (const p of [6, 7]) Atomics.store(i32, table + p, TAIL | 5);
  Atomics.store(i32, lock, 3 + 1);
  assertEquals(heap.runOf(page(6)), null); // an orphan tail is no run
  const b = heap.alloc(PAGE, 1); // spins, asks (alive), spins, asks (gone), takes over
  assert(b !== 0);
  assertEquals(asked, [3, 3]);
  assertEquals(Atomics.load(i32, lock), 0); // released after
  assertEquals(Atomics.load(i32, table + 6), 0);
  assertEquals(Atomics.load(i32, table + 7), 0);
  // The runs that were whole are kept; the repaired pages are free again.
  assertEquals(heap.runOf(a)?.bytes, 2 * PAGE);
  assertEquals(heap.usedPages(), 3);
  assertEquals(heap.alloc(6 * PAGE, 2) !== 0, true);
  assertEquals(heap.usedPages(), 9);
});
