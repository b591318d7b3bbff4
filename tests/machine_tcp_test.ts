// Machines linked over TCP (SCIF_EMU_LISTEN, SCIF_EMU_PEERS): the machine's emulated networks
// of three groups of programs, each a machine with a node of its own, on loopback addresses.
import { assertEquals } from "@std/assert";
import { within } from "./_cluster.ts";
import { M, machine, MIB, PAGE, pair, program, R, S, settle, ST, test } from "./_machine.ts";
import type { NodeWorker } from "./_node_handle.ts";

test("machine: machines linked over TCP (SCIF_EMU_LISTEN, SCIF_EMU_PEERS), three nodes on loopback addresses", async () => {
  // Each machine has a rendezvous directory of its own and one of the three nodes.
  const groups = await Promise.all([0, 1, 2].map(() => machine(3)));
  try {
    const ports = await Promise.all([0, 1, 2].map(freePort));
    const peers = (self: number) =>
      [0, 1, 2].filter((i) => i !== self).map((i) => `${i}=127.0.0.1:${ports[i]}`).join(",");
    // The machines share one key (each would otherwise make its own in its directory).
    const key = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    const nodes: NodeWorker[] = [];
    for (let i = 0; i < 3; i++) {
      nodes.push(
        await program(groups[i], i, {
          SCIF_EMU_LISTEN: `127.0.0.1:${ports[i]}`,
          SCIF_EMU_PEERS: peers(i),
          SCIF_EMU_KEY: key,
        }),
      );
    }
    // Presence over TCP is retried until every machine is up.
    for (const n of nodes) {
      const got = await settle(
        () => n.run(S, "nodeIds"),
        (v) => v.nodes.length === 3,
        10_000,
      );
      assertEquals(got.nodes, [0, 1, 2]);
    }
    await pair(nodes[0], nodes[2]);
    const total = 8 * MIB;
    const [ra, rb] = await within(
      60_000,
      Promise.all([
        nodes[0].run(ST, "duplex", {
          name: "c",
          total,
          maxChunk: 100_000,
          sendSeed: 5,
          recvSeed: 6,
          pick: 7,
        }),
        nodes[2].run(ST, "duplex", {
          name: "conn0",
          total,
          maxChunk: 100_000,
          sendSeed: 6,
          recvSeed: 5,
          pick: 8,
        }),
      ]),
      "duplex over TCP",
    );
    assertEquals([ra.received, rb.received], [total, total]);
    // RMA with a window of another machine at an offset near 2^63 (as a C peer's would be): the
    // link carries the off_t exactly, to a byte offset inside it, and back.
    const far = `${(1n << 63n) - 3n * BigInt(PAGE)}n`;
    const at = (n: number) => `${(1n << 63n) - 3n * BigInt(PAGE) + BigInt(n)}n`;
    await nodes[2].run(R, "register", { ep: "conn0", name: "far", pages: 2, seed: 11, offset: far });
    const bytes = Array.from({ length: 300 }, (_, i) => (i * 13 + 1) & 255);
    await nodes[0].run(R, "plain", { name: "fp", bytes: 300 });
    await nodes[0].run(R, "poke", { name: "fp", at: 0, bytes });
    await nodes[0].run(R, "plain", { name: "fq", bytes: 300 });
    assertEquals(
      await nodes[0].run(R, "calls", {
        ep: "c",
        list: [
          ["vwriteTo", "mem:fp", at(PAGE - 100), 4],
          ["vreadFrom", "mem:fq", at(PAGE - 100), 4],
          ["fenceSignal", 0, "0n", at(2 * PAGE - 8), "5n", 1 | 32], // INIT_SELF | SIGNAL_REMOTE
          ["vreadFrom", "mem:fq", at(2 * PAGE - 8), 4], // 8 bytes past the window's end
        ],
      }),
      ["ok", "ok", "ok", "ENXIO"],
    );
    assertEquals(await nodes[2].run(R, "peek", { name: "far", at: PAGE - 100, length: 300 }), bytes);
    assertEquals(await nodes[0].run(R, "peek", { name: "fq", at: 0, length: 300 }), bytes);
    assertEquals(await nodes[2].run(R, "peek", { name: "far", at: 2 * PAGE - 8, length: 8 }), [
      5,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    // The tutorial's non-blocking loops make progress over a link too.
    const listening = nodes[1].signal("listening");
    const server = nodes[1].run(M, "tutorialServer", { port: 3000, bytes: 1 << 20 });
    await listening;
    assertEquals(
      await within(
        30_000,
        nodes[0].run(M, "tutorialClient", { dst: { node: 1, port: 3000 }, bytes: 1 << 20 }),
      ),
      true,
    );
    await within(5000, server);
    // A machine that goes away is the loss of its node.
    groups[2].kill(nodes[2]);
    const after = await settle(
      () => nodes[0].run(S, "nodeIds"),
      (v) => v.nodes.length === 2,
    );
    assertEquals(after.nodes, [0, 1]);
    assertEquals(await nodes[0].run(S, "tryConnect", { dst: { node: 2, port: 2000 } }), "ENODEV");
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
