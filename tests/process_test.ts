// The machine's emulated network across separate `deno` processes (each joins with openNode()
// through a rendezvous directory of its own for the test), and across TCP links.
import { assert, assertEquals } from "@std/assert";
import { within } from "./_cluster.ts";
import { Processes } from "./_processes.ts";

const S = new URL("./_scenarios.ts", import.meta.url);
const R = new URL("./_rma_scenarios.ts", import.meta.url);
const MIB = 1024 * 1024;
const PAGE = 4096;

Deno.test("processes: two processes take node ids 0 and 1, see each other, connect and stream 64 MiB each way, every byte checked", async () => {
  await using group = await Processes.create();
  const a = await group.spawn();
  const b = await group.spawn();
  assertEquals([a.nodeId, b.nodeId], [0, 1]);
  assertEquals(await a.run(S, "nodeIds"), { nodes: [0, 1], self: 0 });
  assertEquals(await b.run(S, "nodeIds"), { nodes: [0, 1], self: 1 });
  const listening = b.signal("listening");
  const served = b.run(S, "listen", { port: 2000, backlog: 1, accepts: 1 });
  await listening;
  await a.run(S, "connect", { dst: { node: 1, port: 2000 }, name: "c" });
  await served;
  const total = 64 * MIB;
  const [ra, rb] = await within(
    120_000,
    Promise.all([
      a.run<{ sent: number; received: number }>(S, "duplex", {
        name: "c",
        total,
        maxChunk: 256 * 1024,
        sendSeed: 1,
        recvSeed: 2,
        pick: 3,
      }),
      b.run<{ sent: number; received: number }>(S, "duplex", {
        name: "conn0",
        total,
        maxChunk: 256 * 1024,
        sendSeed: 2,
        recvSeed: 1,
        pick: 4,
      }),
    ]),
    "64 MiB duplex between processes",
  );
  assertEquals([ra.sent, ra.received, rb.sent, rb.received], [total, total, total, total]);
});

/** Nodes a and b with a connection: a's endpoint "c", b's "conn0". */
async function pair(
  a: import("./_cluster.ts").NodeWorker,
  b: import("./_cluster.ts").NodeWorker,
  port = 2000,
) {
  const listening = b.signal("listening");
  const served = b.run(S, "listen", { port, backlog: 1, accepts: 1 });
  await listening;
  await a.run(S, "connect", { dst: { node: b.nodeId, port }, name: "c" });
  await served;
}

Deno.test("processes: four processes, every one connected to every other, ping each way", async () => {
  await using group = await Processes.create();
  const nodes = [];
  for (let i = 0; i < 4; i++) nodes.push(await group.spawn());
  assertEquals(nodes.map((n) => n.nodeId), [0, 1, 2, 3]);
  for (const n of nodes) assertEquals((await n.run<{ nodes: number[] }>(S, "nodeIds")).nodes, [0, 1, 2, 3]);
  const servers = nodes.map((n) => {
    const listening = n.signal("listening");
    return { done: n.run<number>(S, "echoServer", { port: 2000, backlog: 8, connections: 3 }), listening };
  });
  await Promise.all(servers.map((s) => s.listening));
  for (const n of nodes) {
    for (const peer of nodes) {
      if (peer === n) continue;
      await n.run(S, "connectMany", {
        dst: { node: peer.nodeId, port: 2000 },
        count: 1,
        prefix: `to${peer.nodeId}-`,
      });
      assertEquals(await n.run(S, "pingEach", { prefix: `to${peer.nodeId}-`, count: 1 }), 1);
    }
  }
  for (const n of nodes) {
    for (const peer of nodes) if (peer !== n) await n.run(S, "close", { name: `to${peer.nodeId}-0` });
  }
  assertEquals(await Promise.all(servers.map((s) => within(5000, s.done))), [12, 12, 12, 12]);
});

Deno.test("processes: thousands of random non-SYNC RMAs fenced in batches match a model; fenceSignal lands after the data; mmap says EOPNOTSUPP", async () => {
  await using group = await Processes.create();
  const a = await group.spawn();
  const b = await group.spawn();
  await pair(a, b);
  const lpages = [3, 5, 2];
  const rpages = [4, 7];
  let at = 0x100000;
  for (let i = 0; i < lpages.length; i++) {
    await a.run(R, "register", { ep: "c", name: `l${i}`, pages: lpages[i], seed: 300 + i, offset: at });
    at += lpages[i] * PAGE;
  }
  at = 0x800000;
  for (let i = 0; i < rpages.length; i++) {
    await b.run(R, "register", { ep: "conn0", name: `r${i}`, pages: rpages[i], seed: 400 + i, offset: at });
    at += rpages[i] * PAGE;
  }
  const r = await within(
    120_000,
    a.run<{ calls: number; local: number[]; modelLocal: number[]; modelRemote: number[] }>(
      R,
      "randomTransfers",
      {
        ep: "c",
        lbase: 0x100000,
        lsize: lpages.reduce((x, y) => x + y) * PAGE,
        lseed: 300,
        rbase: 0x800000,
        rsize: rpages.reduce((x, y) => x + y) * PAGE,
        rseed: 400,
        rsizes: rpages.map((p) => p * PAGE),
        locals: lpages.map((_, i) => `l${i}`),
        batches: 400,
        perBatch: 12,
        seed: 7,
      },
    ),
    "random transfers",
  );
  assert(r.calls >= 2000, `only ${r.calls} calls`);
  assertEquals(r.local, r.modelLocal, "local memory differs from the model");
  const remote: number[] = [];
  for (let i = 0; i < rpages.length; i++) {
    remote.push(...await b.run<number[]>(R, "bytes", { name: `r${i}` }));
  }
  assertEquals(remote, r.modelRemote, "the peer's memory differs from the model");

  // fenceSignal (INIT_SELF, SIGNAL_REMOTE) after a non-SYNC writeTo: the flag is seen after the data.
  const pages = 64;
  const loff = await a.run<number>(R, "register", { ep: "c", name: "src", pages, seed: 1 });
  const roff = await b.run<number>(R, "register", { ep: "conn0", name: "dst", pages: pages + 1, seed: 2 });
  await a.run(R, "fill", { name: "src", value: 0x5a });
  const spinning = b.signal("spinning");
  const watcher = b.run<{ seen: boolean; complete: boolean }>(R, "spinForFlag", {
    name: "dst",
    flagAt: pages * PAGE + 8,
    value: "81985529216486895",
    checkFrom: 0,
    checkTo: pages * PAGE,
    fill: 0x5a,
    timeoutMs: 10_000,
    yielding: true,
  });
  await spinning;
  await a.run(R, "writeThenSignal", {
    ep: "c",
    loff,
    len: pages * PAGE,
    roff,
    flagRoff: roff + pages * PAGE + 8,
    value: "81985529216486895",
  });
  assertEquals(await within(15_000, watcher), { seen: true, complete: true });
  // Errors at the far end come back with their errno; a mapping cannot cross processes.
  assertEquals(
    await a.run(R, "calls", { ep: "c", list: [["writeTo", loff, 8, 0x40000, 0], ["mmap", roff, PAGE, 3]] }),
    ["ENXIO", "EOPNOTSUPP"],
  );
});

Deno.test("processes: kill -9 of one: the survivor gets ECONNRESET within 1 s and ENODEV on connects; a new process takes the dead one's id", async () => {
  await using group = await Processes.create();
  const a = await group.spawn();
  const b = await group.spawn();
  const c = await group.spawn();
  await pair(a, b);
  const streaming = a.signal("streaming");
  const sender = a.run<{ code: string; sent: number }>(S, "sendUntilError", { name: "c" });
  b.run(S, "recvUntilError", { name: "conn0" }).catch(() => {});
  await streaming;
  const t0 = performance.now();
  group.kill(b);
  const r = await within(5000, sender, "the sender's failure");
  const ms = performance.now() - t0;
  assertEquals(r.code, "ECONNRESET");
  assert(ms < 1000, `ECONNRESET came after ${ms.toFixed(0)} ms`);
  assertEquals(await a.run(S, "tryConnect", { dst: { node: 1, port: 2000 } }), "ENODEV");
  assertEquals((await a.run<{ nodes: number[] }>(S, "nodeIds")).nodes, [0, 2]);
  assertEquals((await c.run<{ nodes: number[] }>(S, "nodeIds")).nodes, [0, 2]);
  // The dead process's socket is stale: the next process removes it and takes node 1.
  const d = await group.spawn();
  assertEquals(d.nodeId, 1);
  assertEquals((await a.run<{ nodes: number[] }>(S, "nodeIds")).nodes, [0, 1, 2]);
  await pair(a, d, 2100);
  assertEquals(await a.run(S, "send", { name: "c", bytes: [1, 2, 3] }), 3);
  assertEquals(await d.run(S, "recv", { name: "conn0", len: 3 }), [1, 2, 3]);
});

Deno.test("processes: machines linked over TCP (SCIF_EMU_LISTEN, SCIF_EMU_PEERS), three nodes on loopback addresses", async () => {
  // Each process has a rendezvous directory of its own, as on separate machines.
  const groups = await Promise.all([0, 1, 2].map(() => Processes.create()));
  try {
    const ports = await Promise.all([0, 1, 2].map(freePort));
    const peers = (self: number) =>
      [0, 1, 2].filter((i) => i !== self).map((i) => `${i}=127.0.0.1:${ports[i]}`).join(",");
    const nodes = [];
    for (let i = 0; i < 3; i++) {
      nodes.push(
        await groups[i].spawn({
          SCIF_NODE: String(i),
          SCIF_EMU_LISTEN: `127.0.0.1:${ports[i]}`,
          SCIF_EMU_PEERS: peers(i),
        }),
      );
    }
    // Presence over TCP is retried until every process is up.
    for (const n of nodes) {
      const until = performance.now() + 10_000;
      while ((await n.run<{ nodes: number[] }>(S, "nodeIds")).nodes.length < 3 && performance.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assertEquals((await n.run<{ nodes: number[] }>(S, "nodeIds")).nodes, [0, 1, 2]);
    }
    await pair(nodes[0], nodes[2]);
    const total = 8 * MIB;
    const [ra, rb] = await within(
      60_000,
      Promise.all([
        nodes[0].run<{ sent: number; received: number }>(S, "duplex", {
          name: "c",
          total,
          maxChunk: 100_000,
          sendSeed: 5,
          recvSeed: 6,
          pick: 7,
        }),
        nodes[2].run<{ sent: number; received: number }>(S, "duplex", {
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
