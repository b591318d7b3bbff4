// The fault plan in a network's header (emu/_faults.ts), on a memory of its own: what is
// written is read back, decisions are the seed's draws and nothing else, and an empty plan
// (or none) leaves every word 0 — the state the injecting places test for.
import { assert, assertEquals, assertThrows } from "@std/assert";
import { ScifError } from "../errors.ts";
import { dmaFault, faultBits, readFaults, sendDelay, silent, writeFaults } from "./_faults.ts";
import { computeLayout } from "./_layout.ts";
import { draw, drawn } from "./_prng.ts";

const layout = computeLayout(4, 8, 64 << 20, 4096)!;
const net = { i32: new Int32Array(new SharedArrayBuffer(layout.header + 4096)), layout };
const words = () => [...net.i32.subarray(layout.header / 4, layout.header / 4 + 32)];

Deno.test("no plan, and a plan that injects nothing, leave the header's fault words 0", () => {
  const before = words();
  writeFaults(net.i32, layout, { seed: 5 });
  assertEquals(faultBits(net), 0);
  assertEquals(readFaults(net.i32, layout), null);
  writeFaults(net.i32, layout, { seed: 5, dma: { failRate: 0, stallRate: 1 }, delay: {} }); // no stallMs
  assertEquals(faultBits(net), 0);
  writeFaults(net.i32, layout, null);
  assertEquals(words().slice(17), before.slice(17)); // H_FAULTS (68) onwards
  assertEquals(dmaFault(net, 0, 0), null);
  assertEquals(sendDelay(net, 0, 0), 0);
  assertEquals(silent(net, 0), false);
});

Deno.test("decisions are the seed's draws by node and index", () => {
  writeFaults(net.i32, layout, {
    seed: 77,
    dma: { failRate: 0.5, stallRate: 0.25, stallMs: 9 },
    silentNodes: [3],
    delay: { ms: 4, jitterMs: 10, nodes: [1] },
  });
  for (let i = 0; i < 200; i++) {
    const f = dmaFault(net, 2, i);
    const fail = drawn(77, 8, i, 2 ** 29);
    const stall = drawn(77, 9, i, 2 ** 28);
    assertEquals(f, fail || stall ? { fail, stallMs: stall ? 9 : 0 } : null);
    assertEquals(sendDelay(net, 1, i), 4 + Math.floor(draw(77, 6, i) / 2 ** 32 * 11));
    assertEquals(sendDelay(net, 0, i), 0);
  }
  assertEquals([0, 1, 2, 3].map((n) => silent(net, n)), [false, false, false, true]);
  assert(readFaults(net.i32, layout)!.silentNodes!.length === 1);
  writeFaults(net.i32, layout, null);
});

Deno.test("a plan out of range is EINVAL (ENODEV for a node the network lacks) and changes nothing", () => {
  writeFaults(net.i32, layout, { seed: 1, silentNodes: [2] });
  for (
    const [plan, code] of [
      [{ seed: "1" }, "EINVAL"],
      [{ seed: 1, dma: { failRate: -0.1 } }, "EINVAL"],
      [{ seed: 1, dma: { failRate: NaN } }, "EINVAL"],
      [{ seed: 1, dma: 5 }, "EINVAL"],
      [{ seed: 1, delay: { jitterMs: 2 ** 31 } }, "EINVAL"],
      [{ seed: 1, silentNodes: [4] }, "ENODEV"],
      [{ seed: 1, silentNodes: [-1] }, "ENODEV"],
    ] as const
  ) {
    const e = assertThrows(() => writeFaults(net.i32, layout, plan as never), ScifError);
    assertEquals(e.code, code);
  }
  assertEquals(readFaults(net.i32, layout), { seed: 1, silentNodes: [2] });
  writeFaults(net.i32, layout, null);
});
