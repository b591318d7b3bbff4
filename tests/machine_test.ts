// The machine's emulated network across separate `deno` programs (each joins with openNode()
// through a rendezvous directory of its own for the test: one memory file mapped by every
// process): programs that share it map, stream, RMA and bind as one machine's. The conformance
// suite runs here too, as its "[machine]" cases (tests/_cluster.ts); these are the cases about
// programs and processes. Programs that end: machine_end_test.ts; joining: machine_join_test.ts;
// machines linked over TCP: machine_tcp_test.ts.
import { assert, assertEquals } from "@std/assert";
import { within } from "./_cluster.ts";
import { plus } from "./_rma_scenarios.ts";
import { M, machine, MIB, PAGE, pair, program, R, RO, RW, S, ST, test } from "./_machine.ts";
import type { NodeWorker } from "./_node_handle.ts";

test("machine: programs map each other's windows (stores are the owner's memory at once, both ways), also a range over two adjacent windows whose memory is apart", async () => {
  await using group = await machine();
  const a = await program(group, 0);
  const b = await program(group, 1);
  await pair(a, b);
  // b: two windows at adjacent offsets, of memory allocated apart (a spacer between them).
  await b.run(R, "register", { ep: "conn0", name: "w1", pages: 2, seed: 1, offset: 0x100000 });
  await b.run(R, "allocate", { name: "spacer", bytes: 3 * PAGE });
  await b.run(R, "register", { ep: "conn0", name: "w2", pages: 2, seed: 2, offset: 0x102000 });
  assertEquals(await a.run(R, "mmap", { ep: "c", name: "v", roff: 0x100000, length: 4 * PAGE }), 4 * PAGE);
  await a.run(R, "poke", { name: "v", at: 5, bytes: [55] });
  await a.run(R, "poke", { name: "v", at: 3 * PAGE + 7, bytes: [77] });
  assertEquals(await b.run(R, "peek", { name: "w1", at: 5, length: 1 }), [55]);
  assertEquals(await b.run(R, "peek", { name: "w2", at: PAGE + 7, length: 1 }), [77]);
  await b.run(R, "poke", { name: "w2", at: 9, bytes: [99] });
  assertEquals(await a.run(R, "peek", { name: "v", at: 2 * PAGE + 9, length: 1 }), [99]);
  // And the other way: a's window in b's mapping.
  await a.run(R, "register", { ep: "c", name: "aw", pages: 1, seed: 3, offset: 0x200000 });
  await b.run(R, "mmap", { ep: "conn0", name: "bv", roff: 0x200000, length: PAGE });
  await b.run(R, "poke", { name: "bv", at: 100, bytes: [1, 2, 3] });
  assertEquals(await a.run(R, "peek", { name: "aw", at: 100, length: 3 }), [1, 2, 3]);
  assertEquals(await a.run(R, "munmap", { ep: "c", name: "v" }), "ok");
  assertEquals(await b.run(R, "munmap", { ep: "conn0", name: "bv" }), "ok");
});

test("machine: two programs stream 64 MiB each way at once, random chunking, every byte checked", async () => {
  await using group = await machine();
  const a = await program(group, 0);
  const b = await program(group, 1);
  assertEquals(await a.run(S, "nodeIds"), { nodes: [0, 1, 2, 3], self: 0 });
  await pair(a, b);
  const total = 64 * MIB;
  const [ra, rb] = await within(
    120_000,
    Promise.all([
      a.run(ST, "duplex", {
        name: "c",
        total,
        maxChunk: 256 * 1024,
        sendSeed: 1,
        recvSeed: 2,
        pick: 3,
      }),
      b.run(ST, "duplex", {
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

test("machine: four programs on four nodes, each connected to every other, ping each way", async () => {
  await using group = await machine();
  const nodes: NodeWorker[] = [];
  for (let i = 0; i < 4; i++) nodes.push(await program(group, i));
  const servers = nodes.map((n) => {
    const listening = n.signal("listening");
    return { done: n.run(S, "echoServer", { port: 2000, backlog: 8, connections: 3 }), listening };
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

test("machine: thousands of random non-SYNC RMAs between programs, fenced in batches, match a model; fenceSignal lands after the data", async () => {
  await using group = await machine();
  const a = await program(group, 0);
  const b = await program(group, 1);
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
    a.run(
      RO,
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
    remote.push(...await b.run(R, "bytes", { name: `r${i}` }));
  }
  assertEquals(remote, r.modelRemote, "the peer's memory differs from the model");

  // fenceSignal (INIT_SELF, SIGNAL_REMOTE) after a non-SYNC writeTo: the flag is seen after the data,
  // by a peer spinning on its own window.
  const pages = 64;
  const loff = await a.run(R, "register", { ep: "c", name: "src", pages, seed: 1 });
  const roff = await b.run(R, "register", { ep: "conn0", name: "dst", pages: pages + 1, seed: 2 });
  await a.run(R, "fill", { name: "src", value: 0x5a });
  const spinning = b.signal("spinning");
  const watcher = b.run(RO, "spinForFlag", {
    name: "dst",
    flagAt: pages * PAGE + 8,
    value: "81985529216486895",
    checkFrom: 0,
    checkTo: pages * PAGE,
    fill: 0x5a,
    timeoutMs: 10_000,
    yielding: false,
  });
  await spinning;
  await a.run(RO, "writeThenSignal", {
    ep: "c",
    loff,
    len: pages * PAGE,
    roff,
    flagRoff: plus(roff, pages * PAGE + 8),
    value: "81985529216486895",
  });
  assertEquals(await within(15_000, watcher), { seen: true, complete: true });
  // Errors come back as ever; a mapping of the peer's window works between processes.
  assertEquals(
    await a.run(R, "calls", { ep: "c", list: [["writeTo", loff, 8, 0x40000, 0], ["mmap", roff, PAGE, RW]] }),
    ["ENXIO", "ok"],
  );
});

test("machine: a client started before its server retries ECONNREFUSED and connects once the server listens", async () => {
  await using group = await machine();
  const client = await program(group, 1);
  const connecting = client.run(M, "connectRetry", {
    dst: { node: 0, port: 2500 },
    tries: 20,
    everyMs: 100,
    name: "k",
  });
  await new Promise((r) => setTimeout(r, 400));
  const server = await program(group, 0);
  const listening = server.signal("listening");
  const served = server.run(S, "listen", { port: 2500, backlog: 1, accepts: 1 });
  await listening;
  const refused = await within(5000, connecting, "the retrying connect");
  assert(refused >= 2, `connected after only ${refused} refusals`);
  await within(5000, served);
});

test("machine: two programs on node 0 and one on node 1: ports are unique per node, each program's connections are its own", async () => {
  await using group = await machine();
  const p0 = await program(group, 0);
  const q0 = await program(group, 0);
  const p1 = await program(group, 1);
  const ls = [p0.signal("listening"), q0.signal("listening")];
  const served = [
    p0.run(M, "tagServer", { port: 2000, tag: 10, connections: 1 }),
    q0.run(M, "tagServer", { port: 2001, tag: 20, connections: 1 }),
  ];
  await Promise.all(ls);
  // Ports are the node's: 2000 is taken on node 0 for every program; node 1 has its own.
  assertEquals(await q0.run(M, "bindKept", { port: 2000, name: "x" }), "EINVAL");
  assertEquals(await p1.run(M, "bindKept", { port: 2000, name: "x" }), 2000);
  const [auto0, auto1] = [
    await p0.run(M, "bindKept", { port: 0, name: "y" }),
    await q0.run(M, "bindKept", { port: 0, name: "y" }),
  ];
  assert(auto0 !== auto1, "bind(0) gave two programs of one node the same port");
  assertEquals(await p1.run(M, "askTag", { dst: { node: 0, port: 2001 } }), 20);
  assertEquals(await p1.run(M, "askTag", { dst: { node: 0, port: 2000 } }), 10);
  await within(5000, Promise.all(served));
  // Both see node 0 as themselves.
  assertEquals((await q0.run(S, "nodeIds")).self, 0);
});
