// The port tables (emu/_ports.ts) on a SharedArrayBuffer of their own, in one thread: binding
// a port, ephemeral ports, references, release, exhaustion, per-node tables, and ports left by
// a slot whose incarnation ended.
import { assertEquals, assertThrows } from "@std/assert";
import { PortTable, reclaimPorts } from "./_ports.ts";
import { computeLayout } from "./_layout.ts";
import { SCIF_ADMIN_PORT_END, SCIF_PORT_MAX, SCIF_PORT_RSVD } from "../constants.ts";
import { ERRNO, type ErrnoName, ScifError } from "../errors.ts";

/** Two nodes' tables in fresh memory; `gone` holds the slots whose incarnation ended. */
function tables() {
  const layout = computeLayout(2, 4, 2 << 20, 8192)!;
  const i32 = new Int32Array(new SharedArrayBuffer(layout.memoryBytes));
  const gone = new Set<number>();
  const table = (node: number, slot: number) => new PortTable(layout, i32, node, slot, (s) => gone.has(s));
  return { layout, i32, gone, table };
}

/** Asserts that `fn` throws a ScifError with errno `code`. */
function assertErrno(fn: () => unknown, code: ErrnoName): void {
  const e = assertThrows(fn, ScifError);
  assertEquals([e.code, e.errno], [code, ERRNO[code]]);
}

Deno.test("PortTable: reserve takes exactly a port; one in use is EINVAL (no EADDRINUSE), for any slot", () => {
  const { table } = tables();
  const mine = table(0, 0);
  const other = table(0, 1);
  assertEquals(mine.reserve(2000), 2000);
  assertEquals(mine.holderOf(2000), 0);
  assertErrno(() => other.reserve(2000), "EINVAL");
  assertErrno(() => mine.reserve(2000), "EINVAL"); // a second bind of this slot as well
  assertEquals(other.reserve(2001), 2001);
  assertEquals([mine.holderOf(2001), mine.holderOf(2002)], [1, -1]);
  // The table takes any port: the privilege check of ports below SCIF_ADMIN_PORT_END is the
  // endpoint's (EACCES, tests/connect_errno_test.ts), made before it asks the table.
  assertEquals(mine.reserve(SCIF_ADMIN_PORT_END - 1), SCIF_ADMIN_PORT_END - 1);
  assertEquals(mine.reserve(0), 0);
  assertEquals(mine.reserve(SCIF_PORT_MAX), SCIF_PORT_MAX);
});

Deno.test("PortTable: allocate takes the lowest free port above SCIF_PORT_RSVD and reuses freed ones", () => {
  const { table } = tables();
  const t = table(0, 0);
  const u = table(0, 2);
  assertEquals(t.allocate(), SCIF_PORT_RSVD + 1);
  assertEquals(u.allocate(), SCIF_PORT_RSVD + 2); // the table is the node's, across slots
  t.reserve(SCIF_PORT_RSVD + 3);
  assertEquals(t.allocate(), SCIF_PORT_RSVD + 4);
  t.release(SCIF_PORT_RSVD + 1);
  assertEquals(u.allocate(), SCIF_PORT_RSVD + 1);
  assertEquals(t.holderOf(SCIF_PORT_RSVD + 1), 2);
  // Reserved ports (at or below SCIF_PORT_RSVD) are never handed out.
  assertEquals(t.holderOf(SCIF_PORT_RSVD), -1);
});

Deno.test("PortTable: allocate fails with ENOSPC when every port above SCIF_PORT_RSVD is taken", () => {
  const { table } = tables();
  const t = table(0, 0);
  for (let p = SCIF_PORT_RSVD + 1; p <= SCIF_PORT_MAX; p++) t.reserve(p);
  assertErrno(() => t.allocate(), "ENOSPC");
  assertErrno(() => table(0, 1).allocate(), "ENOSPC");
  assertEquals(table(1, 1).allocate(), SCIF_PORT_RSVD + 1); // another node's table is its own
  t.release(40000);
  assertEquals(t.allocate(), 40000);
});

Deno.test("PortTable: each endpoint that uses a port holds it; the last release frees it", () => {
  const { table } = tables();
  const t = table(0, 0);
  const other = table(0, 1);
  t.reserve(3000);
  t.hold(3000); // an accepted endpoint shares its listener's port
  t.hold(3000);
  t.release(3000);
  t.release(3000);
  assertErrno(() => other.reserve(3000), "EINVAL");
  other.release(3000); // not the holder: nothing happens
  assertEquals(t.holderOf(3000), 0);
  t.release(3000);
  assertEquals(t.holderOf(3000), -1);
  t.release(3000); // free already: nothing happens
  assertEquals(other.reserve(3000), 3000);
});

Deno.test("PortTable: share takes a free port or one more reference on this slot's, never another's", () => {
  const { table } = tables();
  const t = table(0, 0);
  const other = table(0, 1);
  assertEquals(t.share(4000), true);
  assertEquals(t.share(4000), true); // two references now
  assertEquals(other.share(4000), false);
  t.release(4000);
  assertEquals(t.holderOf(4000), 0);
  t.release(4000);
  assertEquals(other.share(4000), true);
});

Deno.test("PortTable: a port held by a slot whose incarnation ended is free for the taking", () => {
  const { table, gone } = tables();
  const dead = table(0, 3);
  dead.reserve(5000);
  dead.hold(5000);
  assertEquals(dead.allocate(), SCIF_PORT_RSVD + 1);
  const t = table(0, 0);
  assertErrno(() => t.reserve(5000), "EINVAL");
  gone.add(3);
  assertEquals(t.reserve(5000), 5000); // whatever its references
  assertEquals(t.holderOf(5000), 0);
  assertEquals(t.allocate(), SCIF_PORT_RSVD + 1);
  assertEquals(table(0, 1).share(SCIF_PORT_RSVD + 1), false); // taken over: alive again
});

Deno.test("reclaimPorts frees every port of one slot on one node, and only those", () => {
  const { table, layout, i32 } = tables();
  const s2 = table(0, 2);
  s2.reserve(6000);
  s2.hold(6000);
  s2.allocate();
  table(0, 1).reserve(6001);
  table(1, 2).reserve(6000); // node 1: not this node's
  reclaimPorts(layout, i32, 0, 2);
  assertEquals([s2.holderOf(6000), s2.holderOf(SCIF_PORT_RSVD + 1), s2.holderOf(6001)], [-1, -1, 1]);
  assertEquals(table(1, 0).holderOf(6000), 2);
});
