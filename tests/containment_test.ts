// Containment: a buggy node cannot crash or confuse the others, and nothing leaks between
// connections through the protocol. Everything read from memory another node writes is checked
// before use; a malformed message is dropped and counted (node.stats().droppedMessages); a
// broken connection is reset.
import { assert, assertEquals } from "@std/assert";
import { Cluster, scenarios, within } from "./_cluster.ts";
import type { NodeWorker } from "./_node_handle.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const R = scenarios<typeof import("./_rma_scenarios.ts")>(new URL("./_rma_scenarios.ts", import.meta.url));
const H = scenarios<typeof import("./_hostile_scenarios.ts")>(
  new URL("./_hostile_scenarios.ts", import.meta.url),
);
const ST = scenarios<typeof import("./_stream_scenarios.ts")>(
  new URL("./_stream_scenarios.ts", import.meta.url),
);
const MIB = 1024 * 1024;

/** `a` connects to `b` on `port`, kept as `name` at a and `${name}0` at b. */
async function connect(a: NodeWorker, b: NodeWorker, port: number, name: string): Promise<void> {
  const listening = b.signal("listening");
  const served = b.run(S, "listen", { port, backlog: 1, accepts: 1, prefix: name });
  await listening;
  await a.run(S, "connect", { dst: { node: b.nodeId, port }, name });
  await served;
}

Deno.test("containment: a buggy Worker writes random bytes for 30 s into everything it writes into; honest nodes stream on, every byte checked, nothing dies, the drops are counted", async () => {
  await using cluster = await Cluster.create({ nodes: 3, memoryBytes: 512 * MIB });
  const [a, b] = await cluster.connectedPair(); // a "c" <-> b "conn0"
  const h = await cluster.spawn(2);
  // The buggy node has connections of its own to both, with a window each way.
  await connect(h, a, 2100, "ha");
  await connect(h, b, 2101, "hb");
  await h.run(R, "register", { ep: "ha", name: "wa", pages: 4, seed: 1 });
  await h.run(R, "register", { ep: "hb", name: "wb", pages: 4, seed: 2 });
  await a.run(R, "register", { ep: "ha0", name: "aw", pages: 4, seed: 3 }).catch(() => {});
  // The honest nodes read what comes from it, and send to it, until that fails.
  const aReads = a.run(ST, "recvUntilError", { name: "ha0" }).catch((e) => String(e));
  const bReads = b.run(ST, "recvUntilError", { name: "hb0" }).catch((e) => String(e));
  void aReads, bReads;
  const scribbling = h.run(H, "scribble", {
    ms: Number(Deno.env.get("SCRIBBLE_MS") ?? 30_000),
    seed: 99,
    eps: ["ha", "hb"],
  });
  let rounds = 0;
  let done = false;
  scribbling.then(() => (done = true), () => (done = true));
  while (!done) {
    const total = 8 * MIB;
    const seed = 1000 + 2 * rounds;
    const [ra, rb] = await within(
      60_000,
      Promise.all([
        a.run(ST, "duplex", {
          name: "c",
          total,
          maxChunk: 100_000,
          sendSeed: seed,
          recvSeed: seed + 1,
          pick: seed,
        }),
        b.run(ST, "duplex", {
          name: "conn0",
          total,
          maxChunk: 100_000,
          sendSeed: seed + 1,
          recvSeed: seed,
          pick: seed + 7,
        }),
      ]),
      "an honest duplex while the buggy node scribbles",
    );
    assertEquals([ra.received, rb.received], [total, total]);
    rounds++;
  }
  assert((await scribbling) > 100_000, "the buggy node wrote little");
  assert(rounds >= 3, `only ${rounds} honest rounds`);
  // Both honest nodes are alive and answer; the garbage showed as drops.
  assertEquals((await a.run(S, "nodeIds")).nodes, [0, 1, 2]);
  assertEquals((await b.run(S, "nodeIds")).nodes, [0, 1, 2]);
  const drops = (await a.run(H, "dropped")) + (await b.run(H, "dropped"));
  assert(drops > 0, "no message was counted as dropped");
});

Deno.test("containment: a record header longer than a record can be resets the connection; recv never returns bytes beyond it", async () => {
  await using cluster = await Cluster.create({ nodes: 2, ringBytes: 65536 });
  const [a, b] = await cluster.connectedPair();
  await a.run(S, "send", { name: "c", bytes: [1, 2, 3] });
  assertEquals(await b.run(S, "recv", { name: "conn0", len: 3 }), [1, 2, 3]);
  await a.run(H, "badRecord", { name: "c", len: 5 * 65536 });
  assertEquals(await b.run(S, "recv", { name: "conn0", len: 1 << 16, block: false }), "ECONNRESET");
  assert((await b.run(H, "dropped")) >= 1);
  // The buggy side is told: its connection is reset too.
  assertEquals(await within(2000, a.run(S, "recv", { name: "c", len: 1 })), "ECONNRESET");
});

Deno.test("containment: forged control messages are dropped and counted: a grant outside memory, a window that is another connection's ring, a disconnect in another node's name", async () => {
  await using cluster = await Cluster.create({ nodes: 3 });
  const [a, b] = await cluster.connectedPair(); // a "c" (node 0) <-> b "conn0" (node 1)
  const h = await cluster.spawn(2);
  await connect(h, a, 2100, "ha");
  await a.run(R, "register", { ep: "ha0", name: "aw", pages: 1, seed: 3 });
  const before = await a.run(H, "dropped");
  // SCIF_CNCT_GNT (10) with a queue pair far outside the memory: the dispatcher does not throw.
  assert(
    await h.run(H, "forge", {
      to: 0,
      op: 10,
      src: [2, 2100],
      dst: [0, 1089],
      p: ["4294963200", "1", "1", "0"],
    }),
  );
  // SCIF_REGISTER (19) naming a's endpoint of the connection with h (token 3 at a: after "c"
  // and the listener) with a "window" that is one of a's queue pairs.
  const ring = await h.run(H, "someQueuePair", { of: 0 });
  assert(ring > 0);
  const p0 = (3n | (3n << 32n)).toString();
  const p3 = (BigInt(ring) | (7n << 32n)).toString();
  assert(
    await h.run(H, "forge", { to: 0, op: 19, src: [2, 1089], dst: [0, 2100], p: [p0, "65536", "4096", p3] }),
  );
  // SCIF_DISCNCT (14) from h's ring in node 1's name, for a's endpoint connected to b.
  assert(await h.run(H, "forge", { to: 0, op: 14, src: [1, 2000], dst: [0, 1089], p: ["1", "1", "0", "0"] }));
  // An op nobody knows.
  assert(await h.run(H, "forge", { to: 0, op: 77, src: [2, 1], dst: [0, 1], p: ["0", "0", "0", "0"] }));
  const after = await within(
    2000,
    (async () => {
      for (;;) {
        const d = await a.run(H, "dropped");
        if (d >= before + 4) return d;
        await new Promise((r) => setTimeout(r, 20));
      }
    })(),
  );
  assert(after >= before + 4, `${after - before} dropped`);
  // a's connection with b is untouched, and no window of h's points at a's ring.
  await a.run(S, "send", { name: "c", bytes: [7, 7] });
  assertEquals(await b.run(S, "recv", { name: "conn0", len: 2 }), [7, 7]);
  assertEquals(await a.run(R, "calls", { ep: "ha0", list: [["vreadFrom", "mem:aw", 65536, 0]] }), [
    "ENXIO",
  ]);
});
