// The machine's emulated network across separate `deno` programs (each joins with openNode()
// through a rendezvous directory of its own for the test: one memory file mapped by every
// process), and machines linked over TCP. The conformance suite runs here too, as its
// "[machine]" cases (tests/_cluster.ts); these are the cases about programs and processes.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { guarded, within } from "./_cluster.ts";
import type { NodeWorker } from "./_node_handle.ts";
import { Processes } from "./_processes.ts";

/** A test of programs: a hang fails it with what it awaited of them (tests/_cluster.ts). */
function test(name: string, fn: () => Promise<void>): void {
  Deno.test(name, () => guarded(fn, 240_000));
}

const S = new URL("./_scenarios.ts", import.meta.url);
const R = new URL("./_rma_scenarios.ts", import.meta.url);
const M = new URL("./_machine_scenarios.ts", import.meta.url);
const MIB = 1024 * 1024;
const PAGE = 4096;
const RW = 3;

/** A group of program processes on a machine of `nodes` nodes. */
function machine(nodes = 4): Promise<Processes> {
  return Processes.create({ SCIF_EMU_NODES: String(nodes), SCIF_EMU_MEMORY: "512" });
}

/** A program on node `node`. */
function program(group: Processes, node: number, env: Record<string, string> = {}): Promise<NodeWorker> {
  return group.spawn({ SCIF_NODE: String(node), ...env });
}

/** Programs a and b with a connection: a's endpoint "c", b's "conn0". */
async function pair(a: NodeWorker, b: NodeWorker, port = 2000): Promise<void> {
  const listening = b.signal("listening");
  const served = b.run(S, "listen", { port, backlog: 1, accepts: 1 });
  await listening;
  await a.run(S, "connect", { dst: { node: b.nodeId, port }, name: "c" });
  await served;
}

/** Waits until `read` gives `want` (or the time is up); resolves to what it gave last. */
async function settle<T>(read: () => Promise<T>, want: (v: T) => boolean, ms = 3000): Promise<T> {
  const until = performance.now() + ms;
  let v = await read();
  while (!want(v) && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    v = await read();
  }
  return v;
}

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

test("machine: four programs on four nodes, each connected to every other, ping each way", async () => {
  await using group = await machine();
  const nodes: NodeWorker[] = [];
  for (let i = 0; i < 4; i++) nodes.push(await program(group, i));
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

  // fenceSignal (INIT_SELF, SIGNAL_REMOTE) after a non-SYNC writeTo: the flag is seen after the data,
  // by a peer spinning on its own window.
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
    yielding: false,
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
  // Errors come back as ever; a mapping of the peer's window works between processes.
  assertEquals(
    await a.run(R, "calls", { ep: "c", list: [["writeTo", loff, 8, 0x40000, 0], ["mmap", roff, PAGE, RW]] }),
    ["ENXIO", "ok"],
  );
});

test("machine: a client started before its server retries ECONNREFUSED and connects once the server listens", async () => {
  await using group = await machine();
  const client = await program(group, 1);
  const connecting = client.run<number>(M, "connectRetry", {
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
    await p0.run<number>(M, "bindKept", { port: 0, name: "y" }),
    await q0.run<number>(M, "bindKept", { port: 0, name: "y" }),
  ];
  assert(auto0 !== auto1, "bind(0) gave two programs of one node the same port");
  assertEquals(await p1.run(M, "askTag", { dst: { node: 0, port: 2001 } }), 20);
  assertEquals(await p1.run(M, "askTag", { dst: { node: 0, port: 2000 } }), 10);
  await within(5000, Promise.all(served));
  // Both see node 0 as themselves.
  assertEquals((await q0.run<{ self: number }>(S, "nodeIds")).self, 0);
});

test("machine: kill -9 of a program mid-stream: its peer gets ECONNRESET within 1 s, the network goes on for the others, and its memory returns to the heap", async () => {
  await using group = await machine();
  const a = await program(group, 0);
  const watcher = await program(group, 2);
  const base = await watcher.run<number>(M, "heapPages");
  const b = await program(group, 1);
  await pair(a, b);
  await b.run(R, "register", { ep: "conn0", name: "w", pages: 256, seed: 1 });
  const streaming = a.signal("streaming");
  const sender = a.run<string>(M, "streamUntilError", { name: "c" });
  b.run(S, "recvUntilError", { name: "conn0" }).catch(() => {});
  await streaming;
  const t0 = performance.now();
  group.kill(b);
  assertEquals(await within(5000, sender, "the sender's failure"), "ECONNRESET");
  const ms = performance.now() - t0;
  assert(ms < 1000, `ECONNRESET came after ${ms.toFixed(0)} ms`);
  assertEquals((await a.run<{ nodes: number[] }>(S, "nodeIds")).nodes, [0, 1, 2, 3]);
  await a.run(S, "close", { name: "c" });
  const pages = await settle(() => watcher.run<number>(M, "heapPages"), (p) => p <= base);
  assert(pages <= base, `the heap holds ${pages} pages, ${base} before the program came`);
  // Node 1 takes another program, and it works.
  const b2 = await program(group, 1);
  await pair(a, b2, 2100);
  assertEquals(await a.run(S, "send", { name: "c", bytes: [1, 2, 3] }), 3);
  assertEquals(await b2.run(S, "recv", { name: "conn0", len: 3 }), [1, 2, 3]);
});

test("machine: kill -9 of a program mid-RMA: the survivor's calls fail with ECONNRESET, nothing hangs, the memory returns", async () => {
  await using group = await machine();
  const watcher = await program(group, 2);
  const base = await watcher.run<number>(M, "heapPages");
  const a = await program(group, 0);
  const b = await program(group, 1);
  await pair(a, b);
  const loff = await a.run<number>(R, "register", { ep: "c", name: "l", pages: 2048, seed: 1 });
  const roff = await b.run<number>(R, "register", { ep: "conn0", name: "win", pages: 2048, seed: 2 });
  for (let i = 0; i < 8; i++) {
    await a.run(R, "rma", { ep: "c", op: "writeTo", loff, len: 2048 * PAGE, roff, flags: 0 });
  }
  group.kill(a);
  const r = await within(
    3000,
    b.run<string[]>(R, "calls", { ep: "conn0", list: [["fenceWait", 0x80000000 + 1]] }),
  );
  assert(["ECONNRESET", "ok"].includes(r[0]), r[0]);
  await new Promise((res) => setTimeout(res, 600));
  assertEquals(
    await b.run(R, "rma", { ep: "conn0", op: "readFrom", loff: roff, len: 8, roff: loff, flags: 4 }),
    "ECONNRESET",
  );
  await b.run(S, "close", { name: "conn0" });
  await b.close();
  const pages = await settle(() => watcher.run<number>(M, "heapPages"), (p) => p <= base);
  assert(pages <= base, `the heap holds ${pages} pages, ${base} before`);
});

test("machine: kill -9 of a program that holds the heap's lock: the next allocation takes the lock over within a second", async () => {
  await using group = await machine();
  const a = await program(group, 0);
  const b = await program(group, 1);
  await b.run(M, "holdHeapLock");
  group.kill(b);
  const ms = await within(5000, a.run<number>(M, "allocateTimed", { pages: 4 }), "an allocation");
  assert(ms < 1000, `the allocation waited ${ms.toFixed(0)} ms`);
  // And the heap works on.
  assert((await a.run<number>(M, "allocateTimed", { pages: 4 })) < 100);
});

test("machine: a memory file left by programs that are all gone is made anew, not trusted", async () => {
  await using group = await machine();
  const a = await program(group, 0);
  await a.run(M, "bindKept", { port: 2000, name: "x" });
  await group.kill(a);
  // Scribble over what the dead left behind: tables and all.
  const file = await Deno.open(`${group.dir}/network`, { read: true, write: true });
  await file.seek(65536 + 128, Deno.SeekMode.Start);
  await file.write(new Uint8Array(1 << 20).fill(0xa5));
  file.close();
  const b = await program(group, 0);
  assertEquals((await b.run<{ nodes: number[] }>(S, "nodeIds")).nodes, [0, 1, 2, 3]);
  assertEquals(await b.run(M, "bindKept", { port: 2000, name: "x" }), 2000);
  const c = await program(group, 1);
  await pair(b, c, 2200);
  assertEquals(await b.run(S, "send", { name: "c", bytes: [4, 5] }), 2);
  assertEquals(await c.run(S, "recv", { name: "conn0", len: 2 }), [4, 5]);
});

test("machine: openNode() without the permissions it needs fails with EPERM naming the flags, never a private network", async () => {
  const group = await machine();
  try {
    const script = await Deno.makeTempFile({ suffix: ".ts" });
    await Deno.writeTextFile(
      script,
      `import { openNode } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
      try { const n = await openNode(); console.log("joined"); await n.close(); }
      catch (e) { console.log(e.code, e.message); }`,
    );
    const run = async (flags: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...flags, script],
        env: { SCIF_EMU_DIR: group.dir },
        stdout: "piped",
        stderr: "inherit",
      }).output();
      return new TextDecoder().decode(out.stdout).trim();
    };
    const noFfi = await run(["--allow-env", "--allow-read"]);
    assertMatch(noFfi, /^EPERM .*--allow-ffi/);
    const noEnv = await run(["--allow-ffi", "--allow-read"]);
    assertMatch(noEnv, /^EPERM .*--allow-env/);
    assertEquals(await run(["--allow-ffi", "--allow-env", "--allow-read"]), "joined");
    await Deno.remove(script);
  } finally {
    await group.close();
  }
});

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
        () => n.run<{ nodes: number[] }>(S, "nodeIds"),
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
      () => nodes[0].run<{ nodes: number[] }>(S, "nodeIds"),
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

test("machine: a rendezvous directory of another user, open to others, or reached through a symlink is refused with EACCES naming it and the fix", async () => {
  const parent = await Deno.makeTempDir({ prefix: "scif-rdv-" });
  try {
    const script = `${parent}/open.ts`;
    await Deno.writeTextFile(
      script,
      `import { openNode } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
      try { const n = await openNode(); console.log("joined", n.nodeId); await n.close(); }
      catch (e) { console.log(e.code, e.message); }`,
    );
    const open = async (env: Record<string, string>) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script],
        env,
        stdout: "piped",
        stderr: "inherit",
      }).output();
      return new TextDecoder().decode(out.stdout).trim();
    };
    const uid = Deno.uid()!;
    // The default place, under TMPDIR, taken by another user first (this test runs as root in CI,
    // so the directory is chowned to nobody; as another user it is made 0777 instead).
    const taken = `${parent}/scif-emu-${uid}`;
    await Deno.mkdir(taken, { mode: 0o700 });
    if (uid === 0) await Deno.chown(taken, 65534, 65534);
    else await Deno.chmod(taken, 0o777);
    const r1 = await open({ TMPDIR: parent });
    assertMatch(r1, new RegExp(`^EACCES .*${taken}.*(belongs to user 65534|open to others)`));
    assertMatch(r1, /SCIF_EMU_DIR|chmod 700/);
    // Open to others.
    const open777 = `${parent}/open777`;
    await Deno.mkdir(open777);
    await Deno.chmod(open777, 0o777);
    assertMatch(
      await open({ SCIF_EMU_DIR: open777 }),
      new RegExp(`^EACCES .*${open777} is open to others.*chmod 700`),
    );
    // A symlink to a good directory.
    const good = `${parent}/good`;
    await Deno.mkdir(good, { mode: 0o700 });
    await Deno.symlink(good, `${parent}/link`);
    assertMatch(
      await open({ SCIF_EMU_DIR: `${parent}/link` }),
      /^EACCES .*link is not a directory \(a symlink\?\)/,
    );
    // The good one works, and its files are private.
    assertEquals(await open({ SCIF_EMU_DIR: good }), "joined 0");
    assertEquals((await Deno.stat(`${good}/network`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
