// WindowList (_window.ts): a registered address space's windows, their offsets and lookups.
import { assertEquals, assertThrows } from "@std/assert";
import { ALLOCATE_LIMIT, type Window, WindowList } from "./_window.ts";
import { ERRNO, type ErrnoName, ScifError } from "./errors.ts";
import { SCIF_PROT_READ as READ, SCIF_PROT_WRITE as WRITE } from "./constants.ts";

const PAGE = 4096;
const RW = READ | WRITE;
/** 2^63: one past the largest off_t. */
const TOP = 1n << 63n;

let nextId = 1;
/** A window of `pages` pages at `offset`, its memory at `addr`. */
function win(offset: number | bigint, pages: number, addr = 0x100000 * nextId, prot = RW): Window {
  return { id: nextId++, offset, length: pages * PAGE, addr, prot };
}

/** A list holding `ws`, inserted in the order given. */
function listOf(...ws: Window[]): WindowList<Window> {
  const l = new WindowList<Window>();
  for (const w of ws) l.insert(w);
  return l;
}

/** Asserts that `fn` throws a ScifError with errno `code`. */
function assertErrno(fn: () => unknown, code: ErrnoName): void {
  const e = assertThrows(fn, ScifError);
  assertEquals([e.code, e.errno], [code, ERRNO[code]]);
}

Deno.test("WindowList: windows are kept by offset whatever the order of insertion; byId, remove", () => {
  const a = win(0x30000, 1);
  const b = win(0x10000, 2);
  const c = win(0x20000, 1);
  const l = listOf(a, b, c);
  assertEquals(l.size, 3);
  assertEquals(l.windows, [b, c, a]);
  assertEquals(l.byId(c.id), c);
  assertEquals(l.byId(-1), undefined);
  l.remove(c);
  assertEquals(l.windows, [b, a]);
  l.remove(c); // not there: nothing happens
  assertEquals(l.size, 2);
  // windows is a copy.
  (l.windows as Window[]).length = 0;
  assertEquals(l.size, 2);
});

Deno.test("WindowList: overlaps and overlapping, to the page (a fixed registration's EADDRINUSE check)", () => {
  const a = win(0x10000, 2); // [0x10000, 0x12000)
  const b = win(0x12000, 1); // adjacent: [0x12000, 0x13000)
  const l = listOf(a, b);
  assertEquals(l.overlaps(0x0f000, PAGE), false); // ends where a begins
  assertEquals(l.overlaps(0x13000, PAGE), false); // begins where b ends
  assertEquals(l.overlaps(0x0f000, PAGE + 1), true); // one byte into a
  assertEquals(l.overlapping(0x11000, 2 * PAGE), [a, b]);
  assertEquals(l.overlapping(0x12fff, 1), [b]);
  assertEquals(l.overlapping(0x10000, 16 * PAGE), [a, b]);
  assertEquals(new WindowList<Window>().overlaps(0, PAGE), false);
});

Deno.test("WindowList: allocate chooses offsets top-down below 2^53's last page, above page 0, in the holes", () => {
  const l = new WindowList<Window>();
  const first = l.allocate(PAGE);
  assertEquals(first, ALLOCATE_LIMIT - 2 * PAGE);
  l.insert(win(first, 1));
  const second = l.allocate(2 * PAGE - 1); // rounds up to two pages
  assertEquals(second, ALLOCATE_LIMIT - 4 * PAGE);
  l.insert(win(second, 2));
  // A window far below leaves the top free: the next range goes under the lowest one at the top.
  l.insert(win(0x10000, 1));
  assertEquals(l.allocate(PAGE), ALLOCATE_LIMIT - 5 * PAGE);
  // Page 0 is never handed out: a space whose only free range is below page 1 is full.
  const low = new WindowList<Window>();
  low.insert(win(PAGE, ALLOCATE_LIMIT / PAGE - 2)); // pages [1, 2^41 - 1)
  assertEquals(low.allocate(PAGE), -1);
  // More than the space holds.
  assertEquals(new WindowList<Window>().allocate(ALLOCATE_LIMIT), -1);
});

Deno.test("WindowList: cover cuts a range over adjacent windows into pieces of their memory", () => {
  const a = win(0x10000, 2, 0x500000);
  const b = win(0x12000, 1, 0x900000); // adjacent in the space, apart in memory
  const l = listOf(a, b);
  assertEquals(l.cover(0x11ff0, 0x20, READ), [
    { window: a, addr: 0x500000 + 0x1ff0, length: 0x10 },
    { window: b, addr: 0x900000, length: 0x10 },
  ]);
  assertEquals(l.cover(0x10000, 3 * PAGE, RW).map((p) => p.length), [2 * PAGE, PAGE]);
  // Within one window: one piece.
  assertEquals(l.cover(0x12010, 8, WRITE), [{ window: b, addr: 0x900010, length: 8 }]);
});

Deno.test("WindowList: cover's errnos: EINVAL for length 0, ENXIO off the windows, EPERM against a window's prot", () => {
  const a = win(0x10000, 2);
  const ro = win(0x20000, 1, 0x700000, READ);
  const l = listOf(a, ro);
  assertErrno(() => l.cover(0x10000, 0, READ), "EINVAL");
  assertErrno(() => l.cover(0x0f000, 8, READ), "ENXIO"); // before every window
  assertErrno(() => l.cover(0x11ff8, 16, READ), "ENXIO"); // runs from a into the hole after it
  assertErrno(() => l.cover(0x20ff8, 16, READ), "ENXIO"); // runs past the last window's end
  assertErrno(() => l.cover(-8, 8, READ), "ENXIO"); // a negative offset
  assertErrno(() => l.cover(0x20000, 8, WRITE), "EPERM");
  assertErrno(() => l.cover(0x20000, 8, RW), "EPERM");
  assertEquals(l.cover(0x20000, 8, READ).length, 1);
  assertEquals(l.cover(0x20000, 8, 0).length, 1); // prot 0: any window (unregister's walk)
  const none = listOf(win(0x40000, 1, 0x800000, 0));
  assertErrno(() => none.cover(0x40000, 8, READ), "EPERM");
});

Deno.test("WindowList: exactly gives whole windows back to back (unregister), ENXIO otherwise", () => {
  const a = win(0x10000, 2);
  const b = win(0x12000, 1);
  const c = win(0x20000, 1);
  const l = listOf(a, b, c);
  assertEquals(l.exactly(0x10000, 3 * PAGE), [a, b]);
  assertEquals(l.exactly(0x20000, PAGE), [c]);
  assertErrno(() => l.exactly(0x10000, PAGE), "ENXIO"); // ends inside a
  assertErrno(() => l.exactly(0x11000, 2 * PAGE), "ENXIO"); // starts inside a
  assertErrno(() => l.exactly(0x10000, 4 * PAGE), "ENXIO"); // runs into the hole after b
  assertErrno(() => l.exactly(0x30000, PAGE), "ENXIO"); // no window there
  assertErrno(() => l.exactly(0x10000, 0), "EINVAL");
});

Deno.test("WindowList: offsets near 2^63 (bigints) are found exactly, next to numbers", () => {
  const high = win(TOP - 2n * BigInt(PAGE), 1, 0x600000); // [2^63 - 8192, 2^63 - 4096)
  const low = win(0x10000, 1, 0x700000);
  const l = listOf(high, low);
  assertEquals(l.windows, [low, high]);
  assertEquals(l.cover(TOP - 2n * BigInt(PAGE) + 100n, 8, READ), [{
    window: high,
    addr: 0x600000 + 100,
    length: 8,
  }]);
  assertEquals(l.exactly(TOP - 8192n, PAGE), [high]);
  assertErrno(() => l.cover(TOP - 4096n, 8, READ), "ENXIO"); // the page after it
  assertErrno(() => l.cover(TOP - 4104n, 16, READ), "ENXIO"); // across its end
  assertEquals(l.overlaps(TOP - 4096n, PAGE), false);
  assertEquals(l.overlaps(TOP - 12288n, PAGE + 1), true);
});
