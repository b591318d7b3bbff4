// Node loss: a node whose Worker is terminated is lost, as a card that goes offline. Its peers
// see ECONNRESET on their connections and ENODEV on new connects within one second, and
// getNodeIds stops listing it; nothing hangs. On a machine's network a node is a machine and
// its programs are processes: a program killed with -9 ends, its peers see ECONNRESET within a
// second, and connects to its ports are refused (ECONNREFUSED) while the node stays online.
import { assert, assertEquals } from "@std/assert";
import { Cluster, conformance, delay, scenarios, within } from "./_cluster.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const ST = scenarios<typeof import("./_stream_scenarios.ts")>(
  new URL("./_stream_scenarios.ts", import.meta.url),
);

conformance(
  "node loss: terminating the receiver mid-transfer gives the sender ECONNRESET within 1 s, then ENODEV",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 3 });
    const [a, b] = await cluster.connectedPair();
    const c = await cluster.spawn(2);
    const streaming = a.signal("streaming");
    const sender = a.run(ST, "sendUntilError", { name: "c" });
    const reader = b.run(ST, "recvUntilError", { name: "conn0" }).catch(() => {});
    await streaming;
    const t0 = performance.now();
    b.terminate();
    const r = await within(5000, sender, "the sender's failure");
    const ms = performance.now() - t0;
    await reader;
    assertEquals(r.code, "ECONNRESET");
    assert(r.sent >= 1 << 20);
    assert(ms < 1000, `ECONNRESET came after ${ms.toFixed(0)} ms`);
    const loss = cluster.endIsLoss;
    assertEquals(
      await a.run(S, "tryConnect", { dst: { node: 1, port: 2000 } }),
      loss ? "ENODEV" : "ECONNREFUSED",
    );
    assertEquals((await a.run(S, "nodeIds")).nodes, loss ? [0, 2] : [0, 1, 2]);
    assertEquals((await c.run(S, "nodeIds")).nodes, loss ? [0, 2] : [0, 1, 2]);
  },
);

conformance(
  "node loss: terminating the sender mid-transfer: the receiver drains what arrived, then ECONNRESET",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const streaming = b.signal("streaming");
    a.run(ST, "sendUntilError", { name: "c" }).catch(() => {});
    const reader = b.run(ST, "recvUntilError", { name: "conn0" });
    await streaming;
    const t0 = performance.now();
    a.terminate();
    const r = await within(5000, reader, "the receiver's failure");
    assertEquals(r.code, "ECONNRESET");
    assert(performance.now() - t0 < 1000);
    assert(r.received >= 1 << 20);
  },
);

conformance("node loss: a blocked recv on an idle connection wakes with ECONNRESET", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 2 });
  const [a, b] = await cluster.connectedPair();
  const pending = b.run(S, "recv", { name: "conn0", len: 10 });
  await delay(50);
  a.terminate();
  assertEquals(await within(2000, pending, "the blocked recv"), "ECONNRESET");
});

conformance("node loss: a lost node id can be attached again and works", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 2 });
  const [a, b] = await cluster.connectedPair();
  b.terminate();
  await within(
    2000,
    (async () => {
      if (!cluster.endIsLoss) return await a.run(S, "recv", { name: "c", len: 1 }); // the reset
      while ((await a.run(S, "nodeIds")).nodes.length !== 1) await delay(5);
    })(),
  );
  const b2 = await cluster.spawn(1);
  assertEquals((await b2.run(S, "nodeIds")).nodes, [0, 1]);
  const listening = b2.signal("listening");
  const server = b2.run(S, "listen", { port: 2000, backlog: 1, accepts: 1 });
  await listening;
  await a.run(S, "connect", { dst: { node: 1, port: 2000 }, name: "c2" });
  await server;
  await a.run(S, "send", { name: "c2", bytes: [9, 8, 7] });
  assertEquals(await b2.run(S, "recv", { name: "conn0", len: 3 }), [9, 8, 7]);
  // The old connection is reset, not confused with the new incarnation.
  assertEquals(await a.run(S, "recv", { name: "c", len: 1 }), "ECONNRESET");
});

conformance("node loss: a pending connect to a node that is lost fails with ENODEV", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 2 });
  const [a, b] = [await cluster.spawn(0), await cluster.spawn(1)];
  const listening = b.signal("listening");
  b.run(S, "listen", { port: 2000, backlog: 4 }).catch(() => {}); // listens, never accepts
  await listening;
  const connecting = a.run(S, "tryConnect", { dst: { node: 1, port: 2000 } });
  await delay(50);
  b.terminate();
  assertEquals(
    await within(2000, connecting, "the pending connect"),
    cluster.endIsLoss ? "ENODEV" : "ECONNREFUSED",
  );
});

conformance("node loss: accept of a request whose node was lost fails with ENODEV", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 2 });
  const [a, b] = [await cluster.spawn(0), await cluster.spawn(1)];
  const listening = b.signal("listening");
  await b.run(S, "listen", { port: 2000, backlog: 4 });
  await listening;
  a.run(S, "tryConnect", { dst: { node: 1, port: 2000 } }).catch(() => {});
  // Once the request is queued on the listener (POLLIN), its node goes away.
  await b.run(S, "poll", { entries: [{ name: "listener", events: 1 }], timeoutMs: 5000 });
  a.terminate();
  if (cluster.endIsLoss) {
    await delay(50);
    assertEquals(await b.run(S, "accept", { block: true }), "ENODEV");
  } else {
    // A program that ended takes its requests with it: nothing is left to accept.
    await delay(600);
    assertEquals(await b.run(S, "accept", { block: false }), "EAGAIN");
  }
});
