// Fault plans on the machine's emulated network (issue 15): set by one program through
// machineNetwork().faults (or `scif faults set`), they reach the node processes through the
// memory they all map — the seeded DMA failures are the same list as on a network of threads —
// and a partition cuts the link to another machine (its nodes lost, as when a link drops) until
// it is cleared, when the nodes come back and connects work again.
import { assert, assertEquals } from "@std/assert";
import { machineNetwork } from "../mod.ts";
import { drawn } from "../emu/_prng.ts";
import { scenarios } from "./_cluster.ts";
import { machine, pair, program, R, S, settle, test } from "./_machine.ts";
import type { NodeWorker } from "./_node_handle.ts";

const F = scenarios<typeof import("./_fault_scenarios.ts")>(
  new URL("./_fault_scenarios.ts", import.meta.url),
);

test("machine faults: a DMA failure plan set from another program is met by a node process, seeded", async () => {
  const group = await machine(3);
  try {
    const [a, b] = [await program(group, 0), await program(group, 1)];
    await pair(a, b);
    await b.run(R, "register", { ep: "conn0", name: "rw", pages: 2, seed: 1, offset: 0x10000 });
    await a.run(R, "register", { ep: "c", name: "lrw", pages: 2, seed: 4, offset: 0x10000 });
    const control = await machineNetwork({ dir: group.dir });
    assertEquals(await a.run(F, "writes", { count: 8, sync: true }), Array(8).fill("ok:moved"));
    control.faults.set({ seed: 1234, dma: { failRate: 0.25 } });
    assertEquals(control.faults.get(), { seed: 1234, dma: { failRate: 0.25, stallRate: 0, stallMs: 0 } });
    // The index counts the transfers decided about, from the first one a plan was set for.
    const want = Array.from({ length: 30 }, (_, i) => drawn(1234, 0, i, 2 ** 28));
    assert(want.includes(true) && want.includes(false));
    assertEquals(
      await a.run(F, "writes", { count: 30, sync: true }),
      want.map((f) => f ? "EIO:stale" : "ok:moved"),
    );
    control.faults.set(null);
    assertEquals(control.faults.get(), null);
    assertEquals(await a.run(F, "writes", { count: 8, sync: true }), Array(8).fill("ok:moved"));
  } finally {
    await group.close();
  }
});

test("machine faults: a partition cuts the link to another machine until it is cleared", async () => {
  const groups = await Promise.all([0, 1].map(() => machine(2)));
  try {
    const ports = await Promise.all([0, 1].map(freePort));
    const key = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    const nodes: NodeWorker[] = [];
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await program(groups[i], i, {
          SCIF_EMU_LISTEN: `127.0.0.1:${ports[i]}`,
          SCIF_EMU_PEERS: `${1 - i}=127.0.0.1:${ports[1 - i]}`,
          SCIF_EMU_KEY: key,
        }),
      );
    }
    const ids = (n: NodeWorker, want: number[]) =>
      settle(() => n.run(S, "nodeIds"), (v) => v.nodes.join() === want.join(), 10_000);
    for (const n of nodes) assertEquals((await ids(n, [0, 1])).nodes, [0, 1]);
    await pair(nodes[0], nodes[1]);
    const control = await machineNetwork({ dir: groups[0].dir });
    control.faults.set({ seed: 1, partition: { nodes: [1] } });
    assertEquals(control.faults.get(), { seed: 1, partition: { nodes: [1] } });
    // Both machines lose the other's node, as when the link drops.
    assertEquals((await ids(nodes[0], [0])).nodes, [0]);
    assertEquals((await ids(nodes[1], [1])).nodes, [1]);
    assertEquals(await nodes[0].run(S, "recv", { name: "c", len: 4 }), "ECONNRESET");
    assertEquals(await nodes[1].run(S, "recv", { name: "conn0", len: 4 }), "ECONNRESET");
    assertEquals(await nodes[0].run(S, "tryConnect", { dst: { node: 1, port: 2000 } }), "ENODEV");
    // It stays cut while the plan says so: the other machine's dialling is refused.
    await new Promise((r) => setTimeout(r, 800));
    assertEquals((await nodes[1].run(S, "nodeIds")).nodes, [1]);
    assertEquals(await nodes[1].run(S, "tryConnect", { dst: { node: 0, port: 2000 } }), "ENODEV");
    // Healed: the nodes come back (new incarnations) and a connection works again.
    control.faults.set(null);
    for (const n of nodes) assertEquals((await ids(n, [0, 1])).nodes, [0, 1]);
    await nodes[0].run(S, "close", { name: "c" });
    await nodes[1].run(S, "close", { name: "conn0" });
    await nodes[1].run(S, "close", { name: "listener" });
    await pair(nodes[0], nodes[1], 2001);
    assertEquals(await nodes[0].run(S, "send", { name: "c", bytes: [1, 2, 3] }), 3);
    assertEquals(await nodes[1].run(S, "recv", { name: "conn0", len: 3 }), [1, 2, 3]);
  } finally {
    await Promise.all(groups.map((g) => g.close()));
  }
});

async function freePort(): Promise<number> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  await Promise.resolve();
  return port;
}
