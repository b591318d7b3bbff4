// Fault injection (emu/_faults.ts, issue 15): each fault with a fixed seed gives the same
// sequence of errors twice — and the sequence the seed's draws say (emu/_prng.ts), per transfer
// index, not per timing — with the nodes in Workers, which see the plan through the network's
// memory; with faults off (never set, or cleared) nothing fails.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { createNetwork, type FaultPlan, ScifError } from "../mod.ts";
import { draw, drawn } from "../emu/_prng.ts";
import { Cluster, guarded, listener, scenarios } from "./_cluster.ts";
import { rmaErrnoSetting } from "./_rma_errno.ts";

const F = scenarios<typeof import("./_fault_scenarios.ts")>(
  new URL("./_fault_scenarios.ts", import.meta.url),
);

/** What the seed's draws say of node `node`'s transfers 0..count-1 (stream 0: failures, 1: stalls). */
function expected(seed: number, node: number, stream: number, rate: number, count: number): boolean[] {
  return Array.from(
    { length: count },
    (_, i) => drawn(seed, node * 4 + stream, i, Math.round(rate * 2 ** 30)),
  );
}

/** A run of `count` writes (tests/_fault_scenarios.ts) from node 0 to node 1 under `faults`. */
async function writeRun(faults: FaultPlan | null, count: number, sync: boolean): Promise<string[]> {
  await using cluster = await Cluster.create({ nodes: 3, fenceTimeoutMs: 100, faults });
  const { a } = await rmaErrnoSetting(cluster);
  return await a.run(F, "writes", { count, sync });
}

function test(name: string, fn: () => Promise<void>): void {
  Deno.test(name, () => guarded(fn));
}

test("a SYNC transfer the seed fails is EIO and moves nothing; the same seed fails the same ones", async () => {
  const plan = { seed: 1234, dma: { failRate: 0.3 } };
  const first = await writeRun(plan, 40, true);
  const second = await writeRun(plan, 40, true);
  assertEquals(first, second);
  assertEquals(first, expected(1234, 0, 0, 0.3, 40).map((f) => f ? "EIO:stale" : "ok:moved"));
  assert(first.includes("EIO:stale") && first.includes("ok:moved"), first.join());
  // Another seed, other transfers.
  assert((await writeRun({ seed: 99, dma: { failRate: 0.3 } }, 40, true)).join() !== first.join());
});

test("a queued transfer the seed fails moves nothing, and the fence that covers it times out", async () => {
  const plan = { seed: 7, dma: { failRate: 0.3 } };
  const first = await writeRun(plan, 16, false);
  assertEquals(first, await writeRun(plan, 16, false));
  assertEquals(first, expected(7, 0, 0, 0.3, 16).map((f) => f ? "ETIMEDOUT:stale" : "ok:moved"));
  assert(first.includes("ETIMEDOUT:stale"), first.join());
});

test("a stall delays the transfers the seed picks; a queued one past the fence timeout times it out", async () => {
  const plan = { seed: 5, dma: { stallRate: 0.5, stallMs: 250 } };
  const run = async () => {
    await using cluster = await Cluster.create({ nodes: 3, fenceTimeoutMs: 100, faults: plan });
    const { a } = await rmaErrnoSetting(cluster);
    return await a.run(F, "timedWrites", { count: 12, slowMs: 200 });
  };
  const first = await run();
  assertEquals(first, await run());
  assertEquals(first, expected(5, 0, 1, 0.5, 12).map((s) => s ? "slow" : "fast"));
  // Every transfer stalls 300 ms: the fence (100 ms) times out, a later wait finds it done.
  await using cluster = await Cluster.create({
    nodes: 3,
    fenceTimeoutMs: 100,
    faults: { seed: 1, dma: { stallRate: 1, stallMs: 300 } },
  });
  const { a } = await rmaErrnoSetting(cluster);
  assertEquals(await a.run(F, "fenceAfterWrite", { waits: 2, gapMs: 400 }), ["ETIMEDOUT", "ok"]);
});

test("a silent node: connect refused after the connect timeout, a peer fence times out; healed after", async () => {
  const run = async () => {
    await using cluster = await Cluster.create({ nodes: 3, connectTimeoutMs: 300, fenceTimeoutMs: 200 });
    const [a, b] = await cluster.connectedPair(2000);
    await listener(b, 2001, 1); // accepts the one connect that reaches it
    const out: string[] = [];
    cluster.net.faults.set({ seed: 3, silentNodes: [1] });
    const refused = await a.run(F, "timedConnect", { node: 1, port: 2001 });
    assert(refused.ms >= 280, `refused after ${refused.ms} ms`);
    const fence = await a.run(F, "peerFence");
    assert(fence.ms >= 180, `fence failed after ${fence.ms} ms`);
    out.push(refused.outcome, fence.outcome);
    cluster.net.faults.set(null);
    out.push((await a.run(F, "timedConnect", { node: 1, port: 2001 })).outcome);
    out.push((await a.run(F, "peerFence")).outcome);
    return out;
  };
  const first = await run();
  assertEquals(first, ["ECONNREFUSED", "ETIMEDOUT", "ok", "ok"]);
  assertEquals(await run(), first);
});

test("delay and jitter: each send waits the drawn time, and the bytes arrive in order", async () => {
  const seed = 11;
  const plan = { seed, delay: { ms: 20, jitterMs: 60, nodes: [0] } };
  await using cluster = await Cluster.create({ nodes: 2, faults: plan });
  const [a, b] = await cluster.connectedPair();
  const count = 12;
  const received = b.run(F, "recvBytes", { bytes: 8 * count });
  const took = await a.run(F, "timedSends", { count });
  const want = Array.from({ length: count }, (_, i) => 20 + Math.floor(draw(seed, 2, i) / 2 ** 32 * 61));
  took.forEach((ms, i) => assert(ms >= want[i] - 2, `send ${i} took ${ms} ms, the draw says ${want[i]}`));
  assert(new Set(want).size > 3, want.join()); // the jitter varies
  assertEquals(await received, Array.from({ length: 8 * count }, (_, i) => Math.floor(i / 8)));
});

test("with faults off, or set and cleared, nothing fails", async () => {
  assertEquals(await writeRun(null, 30, true), Array(30).fill("ok:moved"));
  assertEquals(await writeRun(null, 10, false), Array(10).fill("ok:moved"));
  await using cluster = await Cluster.create({ nodes: 3, faults: { seed: 1, dma: { failRate: 1 } } });
  const { a } = await rmaErrnoSetting(cluster);
  assertEquals(await a.run(F, "writes", { count: 2, sync: true }), ["EIO:stale", "EIO:stale"]);
  cluster.net.faults.set(null);
  assertEquals(await a.run(F, "writes", { count: 10, sync: true }), Array(10).fill("ok:moved"));
});

test("a fault plan is checked, and read back as set", async () => {
  const bad: [unknown, string][] = [
    [{ seed: 1.5 }, "EINVAL"],
    [{ seed: 1, dma: { failRate: 2 } }, "EINVAL"],
    [{ seed: 1, dma: { stallRate: 0.5, stallMs: -1 } }, "EINVAL"],
    [{ seed: 1, silentNodes: [2] }, "ENODEV"],
    [{ seed: 1, silentNodes: "1" }, "EINVAL"],
    [{ seed: 1, delay: { ms: 1.5 } }, "EINVAL"],
    [{ seed: 1, delay: { ms: 1, nodes: [5] } }, "ENODEV"],
    [null, "EINVAL"],
  ];
  for (const [faults, code] of bad.slice(0, -1)) {
    const e = await assertRejects(() => createNetwork({ nodes: 2, faults: faults as FaultPlan }), ScifError);
    assertEquals(e.code, code);
  }
  await using net = await createNetwork({ nodes: 2 });
  assertEquals(net.faults.get(), null);
  for (const [faults, code] of bad) {
    try {
      net.faults.set(faults === null ? ({} as FaultPlan) : faults as FaultPlan);
      throw new Error("accepted");
    } catch (e) {
      assertEquals((e as ScifError).code, code);
    }
  }
  net.faults.set({
    seed: -1,
    dma: { failRate: 0.25, stallRate: 0.5, stallMs: 10 },
    silentNodes: [1],
    delay: { ms: 5, jitterMs: 2 },
  });
  assertEquals(net.faults.get(), {
    seed: 2 ** 32 - 1,
    dma: { failRate: 0.25, stallRate: 0.5, stallMs: 10 },
    silentNodes: [1],
    delay: { ms: 5, jitterMs: 2, nodes: [0, 1] },
  });
  net.faults.set(null);
  assertEquals(net.faults.get(), null);
});
