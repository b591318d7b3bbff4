// Offsets are exact on every backend: windows at the offsets the kernel chooses, just below 2^63,
// are reached by RMA, fences and mmap at byte offsets inside them, given as bigints; the emulated
// networks take such fixed offsets as the kernel does. On the hardware backend (the simulated
// device allocates as the kernel does, top-down from just below 2^63) register's number result
// is refused with EOVERFLOW, and the window it made is gone again.
import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import {
  type Endpoint,
  SCIF_FENCE_INIT_SELF as SELF,
  SCIF_PROT_READ,
  SCIF_PROT_WRITE,
  SCIF_RMA_SYNC as SYNC,
  SCIF_SIGNAL_LOCAL as LOCAL,
  SCIF_SIGNAL_REMOTE as REMOTE,
} from "../mod.ts";
import { Struct } from "../ffi/abi.ts";
import { Cluster, conformance, scenarios } from "./_cluster.ts";
import { fromWire, plus, type Wire } from "./_rma_scenarios.ts";

const R = scenarios<typeof import("./_rma_scenarios.ts")>(new URL("./_rma_scenarios.ts", import.meta.url));
const O = scenarios<typeof import("./_offset_scenarios.ts")>(
  new URL("./_offset_scenarios.ts", import.meta.url),
);
const RO = scenarios<typeof import("./_rma_order_scenarios.ts")>(
  new URL("./_rma_order_scenarios.ts", import.meta.url),
);
const PAGE = 4096;
const TOP = 1n << 63n;
const big = (o: bigint): Wire => `${o}n`;
const RW = SCIF_PROT_READ | SCIF_PROT_WRITE;

/** The bytes 0..n-1 of a pattern no window was filled with. */
const pattern = (n: number) => Array.from({ length: n }, (_, i) => (i * 7 + 3) & 255);

conformance(
  "offsets: windows near 2^63 are reached exactly, by RMA, fences and mmap, at byte offsets inside",
  async (backend, t) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    // The peer's window: two pages ending at 2^63 - 4096, the highest end the kernel allows.
    const roff = await b.run(R, "register", {
      ep: "conn0",
      name: "win",
      pages: 2,
      seed: 1,
      offset: big(TOP - 3n * BigInt(PAGE)),
    });
    assertEquals(roff, big(TOP - 3n * BigInt(PAGE)), "a fixed bigint offset comes back as it went");
    // Ours: where the backend chooses (the kernel: near 2^63; emu: below 2^53), and one fixed near 2^62.
    const lwin = await a.run(R, "register", { ep: "c", name: "lwin", pages: 2, seed: 2 });
    if (backend === "hw") {
      assert(typeof lwin === "string" && BigInt(fromWire(lwin)) > 1n << 62n, `the kernel's offset: ${lwin}`);
    } else assert(typeof lwin === "number" && lwin < 2 ** 53 && lwin > 0, `emu's offset: ${lwin}`);
    const lhigh = await a.run(R, "register", {
      ep: "c",
      name: "lhigh",
      pages: 2,
      seed: 3,
      offset: big((1n << 62n) + 0x10000n),
    });
    const original = await b.run(R, "bytes", { name: "win" });

    await t.step(
      "vwriteTo/vreadFrom at a bigint byte offset inside, across a page of the window",
      async () => {
        const at = PAGE - 100;
        await a.run(R, "plain", { name: "p", bytes: 300 });
        await a.run(R, "poke", { name: "p", at: 0, bytes: pattern(300) });
        assertEquals(
          await a.run(R, "calls", { ep: "c", list: [["vwriteTo", "mem:p", plus(roff, at), SYNC]] }),
          [
            "ok",
          ],
        );
        const win = await b.run(R, "bytes", { name: "win" });
        assertEquals(win.slice(at, at + 300), pattern(300));
        assertEquals(win.slice(0, at), original.slice(0, at), "bytes before the range are untouched");
        assertEquals(win.slice(at + 300), original.slice(at + 300), "bytes after the range are untouched");
        await a.run(R, "plain", { name: "q", bytes: 300 });
        assertEquals(
          await a.run(R, "calls", { ep: "c", list: [["vreadFrom", "mem:q", plus(roff, at), SYNC]] }),
          [
            "ok",
          ],
        );
        assertEquals(await a.run(R, "peek", { name: "q", at: 0, length: 300 }), pattern(300));
      },
    );

    await t.step("writeTo/readFrom between bigint offsets on both sides", async () => {
      const mine = await a.run(R, "bytes", { name: "lhigh" });
      assertEquals(
        await a.run(R, "rma", {
          ep: "c",
          op: "writeTo",
          loff: plus(lhigh, 77),
          len: 5000,
          roff: plus(roff, 1001),
          flags: SYNC,
        }),
        "ok",
      );
      assertEquals(await b.run(R, "bytes", { name: "win", from: 1001, length: 5000 }), mine.slice(77, 5077));
      assertEquals(
        await a.run(R, "rma", {
          ep: "c",
          op: "readFrom",
          loff: plus(lwin, 3),
          len: 4000,
          roff: plus(roff, 2),
          flags: SYNC,
        }),
        "ok",
      );
      assertEquals(
        await a.run(R, "bytes", { name: "lwin", from: 3, length: 4000 }),
        await b.run(R, "bytes", { name: "win", from: 2, length: 4000 }),
      );
    });

    await t.step("fenceSignal writes its values at bigint offsets, ours and the peer's", async () => {
      assertEquals(
        await a.run(R, "calls", {
          ep: "c",
          list: [[
            "fenceSignal",
            plus(lhigh, 8),
            "7n",
            plus(roff, 2 * PAGE - 16),
            "9n",
            SELF | LOCAL | REMOTE,
          ]],
        }),
        ["ok"],
      );
      const spin = { checkFrom: 0, checkTo: 0, fill: 0, timeoutMs: 10_000 };
      assertEquals(
        await b.run(RO, "spinForFlag", { name: "win", flagAt: 2 * PAGE - 16, value: "9", ...spin }),
        {
          seen: true,
          complete: true,
        },
      );
      assertEquals(await a.run(RO, "spinForFlag", { name: "lhigh", flagAt: 8, value: "7", ...spin }), {
        seen: true,
        complete: true,
      });
    });

    await t.step("mmap at a bigint offset: a store through the view is the peer's memory", async () => {
      assertEquals(
        await a.run(R, "mmap", { ep: "c", name: "v", roff: plus(roff, PAGE), length: PAGE, prot: RW }),
        PAGE,
      );
      await a.run(R, "poke", { name: "v", at: 5, bytes: [1, 2, 3] });
      assertEquals(await b.run(R, "peek", { name: "win", at: PAGE + 5, length: 3 }), [1, 2, 3]);
      assertEquals(await a.run(R, "munmap", { ep: "c", name: "v" }), "ok");
    });

    await t.step(
      "the end of the space: a window may end at 2^63 - 4096 and not beyond (LONG_MAX)",
      async () => {
        await b.run(R, "allocate", { name: "one", bytes: PAGE });
        assertEquals(
          await b.run(R, "calls", {
            ep: "conn0",
            list: [
              ["register", "mem:one", { offset: big(TOP - BigInt(PAGE)), fixed: true }],
              ["register", "mem:one", { offset: big(TOP - 4n * BigInt(PAGE)), fixed: true }],
            ],
          }),
          ["EINVAL", "ok"],
        );
        // It lies just below the peer's first window: our reads inside it, across into that window
        // (adjacent windows are one range, as in the kernel's walk), past that window's end into the
        // space's last page, and past 2^63.
        assertEquals(
          await a.run(R, "calls", {
            ep: "c",
            list: [
              ["vreadFrom", "mem:q", big(TOP - 4n * BigInt(PAGE) + 7n), SYNC],
              ["vreadFrom", "mem:q", big(TOP - 3n * BigInt(PAGE) - 100n), SYNC],
              ["vreadFrom", "mem:q", big(TOP - BigInt(PAGE) - 100n), SYNC],
              ["vreadFrom", "mem:q", big(TOP - 8n), SYNC],
            ],
          }),
          ["ok", "ok", "ENXIO", "ENXIO"],
        );
      },
    );

    await t.step("unregister at a bigint offset: the window is gone for RMA and mmap", async () => {
      assertEquals(await b.run(R, "unregister", { ep: "conn0", offset: roff, length: 2 * PAGE }), "ok");
      assertEquals(
        await a.run(R, "calls", {
          ep: "c",
          list: [["vreadFrom", "mem:q", plus(roff, PAGE), SYNC], ["mmap", roff, PAGE, 1]],
        }),
        ["ENXIO", "ENXIO"],
      );
    });

    if (backend === "hw") {
      await t.step(
        "register's number result: EOVERFLOW for the kernel's offset, naming { bigint: true }; the window is unregistered again",
        async () => {
          await a.run(O, "allocate", { name: "m", pages: 1 });
          await b.run(R, "plain", { name: "bq", bytes: 8 });
          const first = await a.run(O, "registerAs", {
            ep: "c",
            name: "m",
            as: "bigint",
          });
          assertEquals(first.type, "bigint");
          assert(BigInt(fromWire(first.offset!)) > 1n << 62n, `the kernel's offset: ${first.offset}`);
          await a.run(O, "unregister", { ep: "c", name: "m", offset: first.offset! });
          const refused = await a.run(O, "registerAs", {
            ep: "c",
            name: "m",
            as: "number",
          });
          assertEquals(refused.code, "EOVERFLOW");
          assertMatch(refused.message, /\{ bigint: true \}/);
          // Nothing is left at the offset the kernel chose: the peer cannot reach it...
          assertEquals(
            await b.run(R, "calls", { ep: "conn0", list: [["vreadFrom", "mem:bq", first.offset, SYNC]] }),
            [
              "ENXIO",
            ],
          );
          // ...and the kernel hands out the same offset again (it would go below a window still there).
          const again = await a.run(O, "registerAs", {
            ep: "c",
            name: "m",
            as: "bigint",
          });
          assertEquals(again, first);
          assertEquals(
            await b.run(R, "calls", { ep: "conn0", list: [["vreadFrom", "mem:bq", first.offset, SYNC]] }),
            [
              "ok",
            ],
          );
        },
      );
    } else {
      await t.step(
        "the emulated network chooses offsets below 2^53: a number by default, the same as a bigint",
        async () => {
          await a.run(O, "allocate", { name: "m", pages: 1 });
          const n = await a.run(O, "registerAs", {
            ep: "c",
            name: "m",
            as: "number",
          });
          assertEquals(n.type, "number");
          assert(typeof n.offset === "number" && n.offset < 2 ** 53);
          await a.run(O, "unregister", { ep: "c", name: "m", offset: n.offset! });
          const b2 = await a.run(O, "registerAs", {
            ep: "c",
            name: "m",
            as: "bigint",
          });
          assertEquals(b2, { offset: n.offset, type: "bigint" });
        },
      );
    }
  },
);

Deno.test("offsets: register's overloads type each result exactly", () => {
  // Compile-time checks (deno check): never called.
  const typed = (ep: Endpoint, m: Uint8Array) => {
    const n: number = ep.register(m);
    const b: bigint = ep.register(m, { bigint: true });
    const f: bigint = ep.register(m, { offset: 1n << 62n, fixed: true });
    const g: number = ep.register(m, { offset: 0x10000, fixed: true, prot: SCIF_PROT_READ });
    const h: number = ep.register(m, { offset: 1n << 62n, fixed: true, bigint: false });
    // @ts-expect-error: with { bigint: true } the offset is a bigint, not a number
    const wrong: number = ep.register(m, { bigint: true });
    return [n, b, f, g, h, wrong];
  };
  assertEquals(typeof typed, "function");
});

// "offsets: one value, one representation; ..." (offsetOf alone) is in _offset_test.ts, beside the module.

Deno.test("offsets: the ioctl structs take s64 offsets and u64 values exactly, and refuse what is neither", () => {
  const s = new Struct("scifioctl_copy")
    .setS64("loffset", -(2n ** 63n))
    .setS64("roffset", 2n ** 63n - 4096n + 123n)
    .setU64("len", 2n ** 64n - 1n);
  assertEquals([s.s64("loffset"), s.s64("roffset"), s.u64("len")], [
    -(2n ** 63n),
    2n ** 63n - 4096n + 123n,
    2n ** 64n - 1n,
  ]);
  // DataView's setters would wrap these silently.
  assertThrows(() => s.setS64("loffset", 2n ** 63n), RangeError);
  assertThrows(() => s.setU64("len", -1), RangeError);
  assertThrows(() => s.setU64("len", 2n ** 64n), RangeError);
});
