// The emulated network's own API: createNetwork, Network.node/handle, attachNode, openNode,
// node enumeration across threads, and an idle network that costs no CPU.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { attachNode, createNetwork, type NetworkHandle, openNode, ScifError, type ScifNode } from "../mod.ts";
import { Cluster, delay, scenarios } from "./_cluster.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));

Deno.test("network: createNetwork rejects bad options with EINVAL", async () => {
  for (
    const options of [{ nodes: 0 }, { nodes: 65 }, { nodes: 1.5 }, { nodes: 2, memoryBytes: 1000 }, {
      nodes: 2,
      ringBytes: 5000,
    }, null]
  ) {
    // deno-lint-ignore no-explicit-any
    const e = await assertRejects(() => createNetwork(options as any), ScifError);
    assertEquals(e.code, "EINVAL");
  }
});

Deno.test("network: a node id is attached by one thread at a time (EBUSY), and exists (ENODEV)", async () => {
  await using cluster = await Cluster.create({ nodes: 2 });
  await cluster.spawn(1);
  const e = await assertRejects(() => cluster.net.node(1), ScifError);
  assertEquals(e.code, "EBUSY");
  assertEquals((await assertRejects(() => cluster.net.node(2), ScifError)).code, "ENODEV");
  const twice = await cluster.local(0);
  assertEquals((await assertRejects(() => cluster.net.node(0), ScifError)).code, "EBUSY");
  await twice.close();
  const again = await cluster.local(0); // free again once closed
  assertEquals(again.nodeId, 0);
});

Deno.test("network: attachNode rejects what is not a handle; handle() of a node the network has not is ENODEV, as node()", async () => {
  const net = await createNetwork({ nodes: 1 });
  // deno-lint-ignore no-explicit-any
  assertEquals((await assertRejects(() => attachNode({} as any), ScifError)).code, "EINVAL");
  assertEquals(assertThrows(() => net.handle(1), ScifError).code, "ENODEV");
  const h: NetworkHandle = net.handle(0);
  assertEquals(h.nodeId, 0);
  await net.close();
});

Deno.test("network: getNodeIds lists the online nodes of every thread, ascending, and self", async () => {
  await using cluster = await Cluster.create({ nodes: 5 });
  const w3 = await cluster.spawn(3);
  const w1 = await cluster.spawn(1);
  const host = await cluster.local(0);
  assertEquals(host.getNodeIds(), { nodes: [0, 1, 3], self: 0 });
  assertEquals(await w3.run(S, "nodeIds"), { nodes: [0, 1, 3], self: 3 });
  await w1.close();
  assertEquals(host.getNodeIds(), { nodes: [0, 3], self: 0 });
});

Deno.test("network: a node in the main thread stays online (it is never taken for lost)", async () => {
  await using cluster = await Cluster.create({ nodes: 2 });
  const host = await cluster.local(0);
  const w = await cluster.spawn(1);
  await delay(300);
  assertEquals(await w.run(S, "nodeIds"), { nodes: [0, 1], self: 1 });
  assertEquals(host.getNodeIds().nodes, [0, 1]);
});

Deno.test("openNode: emu and auto (no /dev/scif here) join the machine's network on node 0; \"thread\" gives a network of this program's threads; hw says what is missing", async () => {
  const dir = await Deno.makeTempDir();
  Deno.env.set("SCIF_EMU_DIR", dir);
  const node = await openNode({ backend: "emu" });
  assertEquals([node.backend, node.network, node.nodeId], ["emu", "machine", 0]);
  const auto = await openNode(); // a second attachment of the host, as two programs on node 0
  assertEquals([auto.backend, auto.nodeId], ["emu", 0]);
  assertEquals(auto.getNodeIds().nodes, [0, 1, 2, 3]);
  const l = node.open();
  l.bind(2000);
  assertEquals(assertThrows(() => auto.open().bind(2000), ScifError).code, "EINVAL");
  const t1 = await openNode({ network: "thread" });
  const t2 = await openNode({ network: "thread" });
  assert(t1.nodeId !== t2.nodeId, "two openNode() calls attach two nodes of the thread's network");
  assertEquals(t1.network, "threads");
  await t1.close();
  await t2.close();
  Deno.env.delete("SCIF_EMU_DIR");
  const e = await assertRejects(() => openNode({ backend: "hw", device: "/nonexistent/scif" }), ScifError);
  assertEquals(e.code, "ENODEV");
  assert(e.message.includes("/nonexistent/scif"));
  // deno-lint-ignore no-explicit-any
  assertEquals((await assertRejects(() => openNode({ backend: "x" as any }), ScifError)).code, "EINVAL");
  await node.close();
  await auto.close();
  await Deno.remove(dir, { recursive: true });
});

function cpuMs(): number {
  const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in 10 ms ticks
}

Deno.test("network: an idle network with connected nodes in Workers uses no CPU", async () => {
  await using cluster = await Cluster.create({ nodes: 3 });
  const [a, b] = await cluster.connectedPair();
  await cluster.spawn(2);
  const blocked = b.run(S, "recv", { name: "conn0", len: 1 }); // a recv asleep, waiting
  await delay(200);
  const before = cpuMs();
  await delay(1000);
  const used = cpuMs() - before;
  assert(used <= 100, `the idle network used ${used} ms of CPU in 1 s`);
  await a.run(S, "send", { name: "c", bytes: [1] });
  assertEquals(await blocked, [1]);
});

Deno.test("network: await using closes a network's nodes and a node at the end of the block", async () => {
  let kept: ScifNode;
  let alone: ScifNode;
  {
    await using net = await createNetwork({ nodes: 2 });
    kept = await net.node(0);
    kept.open().bind(2000);
    {
      await using node = await net.node(1);
      alone = node;
      assertEquals(node.getNodeIds().self, 1);
    }
    assertEquals(
      assertThrows(() => alone.open(), ScifError).code,
      "ENODEV",
      "closed at the end of its block",
    );
    assertEquals(kept.getNodeIds().self, 0, "still open inside the network's block");
  }
  assertEquals(assertThrows(() => kept.open(), ScifError).code, "ENODEV", "closed with its network");
});

Deno.test("network: for await over a listener accepts each connection until the listener is closed", async () => {
  await using net = await createNetwork({ nodes: 2 });
  const host = await net.node(0);
  const card = await net.node(1);
  const listener = host.open();
  listener.bind(2000);
  listener.listen(4);
  const peers: number[] = [];
  const served = (async () => {
    for await (const { endpoint, peer } of listener) {
      peers.push(peer.port);
      const one = new Uint8Array(1);
      await endpoint.recv(one);
      await endpoint.send(one);
      endpoint.close();
      if (peers.length === 3) listener.close(); // ends the loop
    }
    return "ended";
  })();
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) {
    const ep = card.open();
    ports.push((await ep.connect({ node: 0, port: 2000 })).port);
    await ep.send(new Uint8Array([i]));
    const back = new Uint8Array(1);
    await ep.recv(back);
    assertEquals(back[0], i);
    ep.close();
  }
  assertEquals(await served, "ended");
  assertEquals(peers, ports);
  // A loop over an endpoint that does not listen fails as accept does.
  const idle = host.open();
  await assertRejects(async () => {
    for await (const _ of idle) break;
  }, ScifError);
});
