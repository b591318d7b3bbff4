// Connections: loopback on one node, many concurrent connections on one listener, listener
// close refusing pending requests, and the port a connection uses.
import { assertEquals } from "@std/assert";
import { Cluster, conformance, scenarios, within } from "./_cluster.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const ST = scenarios<typeof import("./_stream_scenarios.ts")>(
  new URL("./_stream_scenarios.ts", import.meta.url),
);

conformance("connect: loopback on one node, in one thread, moves bytes both ways", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 1 });
  const node = await cluster.local(0);
  const l = node.open();
  l.bind(2000);
  l.listen(1);
  const c = node.open();
  const [{ endpoint, peer }, local] = await Promise.all([l.accept(), c.connect({ node: 0, port: 2000 })]);
  assertEquals(peer, local);
  assertEquals(endpoint.localId, { node: 0, port: 2000 });
  assertEquals(c.peerId, { node: 0, port: 2000 });
  await c.send(new Uint8Array([1, 2, 3]));
  const got = new Uint8Array(3);
  await endpoint.recv(got);
  await endpoint.send(got.reverse());
  const back = new Uint8Array(3);
  await c.recv(back);
  assertEquals([...back], [3, 2, 1]);
});

conformance("connect: loopback on one node whose listener and client run in one Worker", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 1 });
  const a = await cluster.spawn(0);
  const listening = a.signal("listening");
  const server = a.run(S, "echoServer", { port: 2000, backlog: 1, connections: 1 });
  await listening;
  await a.run(S, "connectMany", { dst: { node: 0, port: 2000 }, count: 1, prefix: "x" });
  assertEquals(await a.run(S, "pingEach", { prefix: "x", count: 1 }), 1);
  await a.run(S, "close", { name: "x0" });
  await within(2000, server);
});

conformance(
  "connect: 64 concurrent connections on one listener, each carries its own bytes",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 3 });
    const [a, b, c] = [await cluster.spawn(0), await cluster.spawn(1), await cluster.spawn(2)];
    const listening = a.signal("listening");
    const server = a.run(S, "echoServer", { port: 2000, backlog: 64, connections: 64 });
    await listening;
    const [pb, pc] = await within(
      10_000,
      Promise.all([
        b.run(S, "connectMany", { dst: { node: 0, port: 2000 }, count: 32, prefix: "e" }),
        c.run(S, "connectMany", { dst: { node: 0, port: 2000 }, count: 32, prefix: "e" }),
      ]),
    );
    assertEquals(new Set([...pb]).size + new Set([...pc]).size, 64);
    assertEquals(await b.run(S, "pingEach", { prefix: "e", count: 32 }), 32);
    assertEquals(await c.run(S, "pingEach", { prefix: "e", count: 32 }), 32);
    for (let i = 0; i < 32; i++) {
      await b.run(S, "close", { name: `e${i}` });
      await c.run(S, "close", { name: `e${i}` });
    }
    assertEquals(await within(5000, server), 64 * 4);
  },
);

conformance("connect: closing a listener refuses its pending requests", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 2 });
  const [a, b] = [await cluster.spawn(0), await cluster.spawn(1)];
  const listening = b.signal("listening");
  await b.run(S, "listen", { port: 2000, backlog: 8 });
  await listening;
  const pending = Promise.all(
    [1, 2, 3].map(() => a.run(S, "tryConnect", { dst: { node: 1, port: 2000 } })),
  );
  await new Promise((r) => setTimeout(r, 50));
  await b.run(S, "close", { name: "listener" });
  assertEquals(await within(2000, pending), ["ECONNREFUSED", "ECONNREFUSED", "ECONNREFUSED"]);
});

conformance(
  "connect: a closed listener's port stays taken until its accepted endpoints close",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 1 });
    const node = await cluster.local(0);
    const l = node.open();
    l.bind(2000);
    l.listen(1);
    const c = node.open();
    const [{ endpoint }] = await Promise.all([l.accept(), c.connect({ node: 0, port: 2000 })]);
    l.close();
    const again = node.open();
    const code = (() => {
      try {
        again.bind(2000);
        return "ok";
      } catch (e) {
        return (e as { code: string }).code;
      }
    })();
    assertEquals(code, "EINVAL");
    endpoint.close();
    assertEquals(node.open().bind(2000), 2000);
  },
);

conformance("connect: a node that closes resets its peers' connections", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 2 });
  const [a, b] = await cluster.connectedPair();
  await b.close();
  assertEquals(await a.run(S, "recv", { name: "c", len: 1 }), "ECONNRESET");
  // A machine's node stays online when a program closes it: its ports are refused.
  const loss = cluster.endIsLoss;
  assertEquals((await a.run(S, "nodeIds")).nodes, loss ? [0] : [0, 1]);
  assertEquals(
    await a.run(S, "tryConnect", { dst: { node: 1, port: 2000 } }),
    loss ? "ENODEV" : "ECONNREFUSED",
  );
});

for (const afterMs of [0, 100]) {
  conformance(
    `close of an endpoint during its blocking recv: the recv fails with ENOTCONN (close after ${afterMs} ms)`,
    async (backend) => {
      await using cluster = await Cluster.create({ backend, nodes: 2 });
      const [a] = await cluster.connectedPair();
      assertEquals(await within(3000, a.run(ST, "closeDuringRecv", { name: "c", afterMs })), "ENOTCONN");
    },
  );

  conformance(
    `close of an endpoint during its connect: the connect fails with EINTR (close after ${afterMs} ms)`,
    async (backend) => {
      await using cluster = await Cluster.create({ backend, nodes: 2 });
      const [a, b] = [await cluster.spawn(0), await cluster.spawn(1)];
      const listening = b.signal("listening");
      await b.run(S, "listen", { port: 2000, backlog: 4 }); // never accepts
      await listening;
      assertEquals(
        await within(3000, a.run(ST, "closeDuringConnect", { dst: { node: 1, port: 2000 }, afterMs })),
        "EINTR",
      );
    },
  );
}
