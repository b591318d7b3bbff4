// RMA across real threads: windows registered by nodes in Workers, transfers by the DMA engine
// and by the calling thread, fences, ORDERED, mmap.
import { assert, assertEquals } from "@std/assert";
import { SCIF_RMA_ORDERED, SCIF_RMA_SYNC, SCIF_RMA_USECPU } from "../mod.ts";
import { Cluster, conformance, scenarios, within } from "./_cluster.ts";

import { plus } from "./_rma_scenarios.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const R = scenarios<typeof import("./_rma_scenarios.ts")>(new URL("./_rma_scenarios.ts", import.meta.url));
const RO = scenarios<typeof import("./_rma_order_scenarios.ts")>(
  new URL("./_rma_order_scenarios.ts", import.meta.url),
);
const PAGE = 4096;

conformance(
  "rma: a transfer spanning several windows on both sides moves exactly its bytes",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    // Local: three windows back to back at 0x10000; remote: two at 0x40000.
    for (const [i, pages] of [[0, 2], [1, 3], [2, 1]]) {
      await a.run(R, "register", {
        ep: "c",
        name: `l${i}`,
        pages,
        seed: 100 + i,
        offset: [0x10000, 0x12000, 0x15000][i],
      });
    }
    for (const [i, pages] of [[0, 3], [1, 4]]) {
      await b.run(R, "register", {
        ep: "conn0",
        name: `r${i}`,
        pages,
        seed: 200 + i,
        offset: [0x40000, 0x43000][i],
      });
    }
    const before = [
      ...await b.run(R, "bytes", { name: "r0" }),
      ...await b.run(R, "bytes", { name: "r1" }),
    ];
    const local = [
      ...await a.run(R, "bytes", { name: "l0" }),
      ...await a.run(R, "bytes", { name: "l1" }),
      ...await a.run(R, "bytes", { name: "l2" }),
    ];
    // 5 pages + 123 bytes from local 0x10000 + 777 to remote 0x40000 + 1000: crosses windows on both sides.
    const len = 5 * PAGE + 123;
    assertEquals(
      await a.run(R, "rma", {
        ep: "c",
        op: "writeTo",
        loff: 0x10000 + 777,
        len,
        roff: 0x40000 + 1000,
        flags: SCIF_RMA_SYNC,
      }),
      "ok",
    );
    const after = [
      ...await b.run(R, "bytes", { name: "r0" }),
      ...await b.run(R, "bytes", { name: "r1" }),
    ];
    const want = [...before];
    want.splice(1000, len, ...local.slice(777, 777 + len));
    assertEquals(after, want);
  },
);

conformance(
  "rma: thousands of random non-SYNC writeTo/readFrom across several windows, fenced in batches, match a model byte for byte",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const lpages = [3, 5, 2, 6];
    const rpages = [4, 7, 5];
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
    const lsize = lpages.reduce((x, y) => x + y) * PAGE;
    const rsize = rpages.reduce((x, y) => x + y) * PAGE;
    const r = await within(
      120_000,
      a.run(
        RO,
        "randomTransfers",
        {
          ep: "c",
          lbase: 0x100000,
          lsize,
          lseed: 300,
          rbase: 0x800000,
          rsize,
          rseed: 400,
          rsizes: rpages.map((p) => p * PAGE),
          locals: lpages.map((_, i) => `l${i}`),
          batches: 400,
          perBatch: 12,
          seed: 99,
        },
      ),
      "the random transfers",
    );
    assert(r.calls >= 2000, `only ${r.calls} calls`);
    assertEquals(r.local, r.modelLocal, "local memory differs from the model");
    const remote: number[] = [];
    for (let i = 0; i < rpages.length; i++) {
      remote.push(...await b.run(R, "bytes", { name: `r${i}` }));
    }
    assertEquals(remote, r.modelRemote, "the peer's memory differs from the model");
  },
);

conformance(
  "rma: fenceSignal (INIT_SELF) lands after the transfer before it, seen by the peer spinning on its own window",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const pages = 256; // 1 MiB
    const loff = await a.run(R, "register", { ep: "c", name: "src", pages, seed: 1 });
    const roff = await b.run(R, "register", { ep: "conn0", name: "dst", pages: pages + 1, seed: 2 });
    // The source is all 0x5a; the peer waits for the flag in its last page, then checks the data.
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
  },
);

conformance(
  "rma: fenceMark/fenceWait with INIT_PEER waits for the peer's queued transfers; fenceSignal INIT_PEER too",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const loff = await a.run(R, "register", { ep: "c", name: "src", pages: 1024, seed: 1 });
    const roff = await b.run(R, "register", { ep: "conn0", name: "dst", pages: 1025, seed: 2 });
    await a.run(R, "fill", { name: "src", value: 7 });
    // a queues a 4 MiB transfer into b's window; b marks a's RMAs and waits, then checks.
    assertEquals(
      await a.run(R, "rma", { ep: "c", op: "writeTo", loff, len: 1024 * PAGE, roff, flags: 0 }),
      "ok",
    );
    await b.run(RO, "waitForPeer", { ep: "conn0" });
    assert(
      await b.run(R, "all", { name: "dst", value: 7, to: 1024 * PAGE }),
      "the transfer was not complete when the peer's fence returned",
    );
    // INIT_PEER signal: b's engine writes b's flag once a's engine has done what a queued.
    await a.run(R, "fill", { name: "src", value: 9 });
    assertEquals(
      await a.run(R, "rma", { ep: "c", op: "writeTo", loff, len: 1024 * PAGE, roff, flags: 0 }),
      "ok",
    );
    // Queued before b starts spinning (the spin keeps b's thread busy).
    await b.run(RO, "signalAfterPeer", { ep: "conn0", localFlag: plus(roff, 1024 * PAGE), value: "42" });
    const spinning = b.signal("spinning");
    const watcher = b.run(RO, "spinForFlag", {
      name: "dst",
      flagAt: 1024 * PAGE,
      value: "42",
      checkFrom: 0,
      checkTo: 1024 * PAGE,
      fill: 9,
      timeoutMs: 10_000,
    });
    await spinning;
    assertEquals(await within(15_000, watcher), { seen: true, complete: true });
  },
);

for (
  const [name, flags] of [["by the DMA engine", SCIF_RMA_ORDERED], [
    "by the calling thread",
    SCIF_RMA_ORDERED | SCIF_RMA_USECPU,
  ]] as const
) {
  conformance(`rma: ORDERED makes the last cache line land last (${name}), 300 rounds`, async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const len = 256 * 1024;
    const roff = await b.run(R, "register", {
      ep: "conn0",
      name: "dst",
      pages: len / PAGE + 1,
      seed: 1,
    });
    const watching = b.signal("watching");
    const early = b.run(RO, "watchOrdered", { name: "dst", len, rounds: 300 });
    await watching;
    await within(60_000, a.run(RO, "writeOrdered", { ep: "c", name: "src", roff, len, rounds: 300, flags }));
    assertEquals(await within(5000, early), 0, "a byte before the last cache line landed after it");
  });
}

conformance(
  "mmap: a store through the view is the peer's memory; the peer's store is seen through the view",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const roff = await b.run(R, "register", { ep: "conn0", name: "win", pages: 2, seed: 5 });
    assertEquals(await a.run(R, "mmap", { ep: "c", name: "v", roff: plus(roff, PAGE), length: 100 }), 100);
    await a.run(R, "poke", { name: "v", at: 10, bytes: [1, 2, 3] });
    assertEquals(await b.run(R, "peek", { name: "win", at: PAGE + 10, length: 3 }), [1, 2, 3]);
    await b.run(R, "poke", { name: "win", at: PAGE + 50, bytes: [9, 8] });
    assertEquals(await a.run(R, "peek", { name: "v", at: 50, length: 2 }), [9, 8]);
    assertEquals(await a.run(R, "munmap", { ep: "c", name: "v" }), "ok");
  },
);

conformance("mmap: an 8-byte round trip through two mapped windows", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 2 });
  const [a, b] = await cluster.connectedPair();
  const ra = await a.run(R, "register", { ep: "c", name: "inbox", pages: 1, seed: 0 });
  const rb = await b.run(R, "register", { ep: "conn0", name: "inbox", pages: 1, seed: 0 });
  await a.run(R, "poke", { name: "inbox", at: 0, bytes: [0, 0, 0, 0, 0, 0, 0, 0] });
  await b.run(R, "poke", { name: "inbox", at: 0, bytes: [0, 0, 0, 0, 0, 0, 0, 0] });
  await a.run(R, "mmap", { ep: "c", name: "out", roff: rb, length: 8 });
  await b.run(R, "mmap", { ep: "conn0", name: "out", roff: ra, length: 8 });
  const ready = b.signal("ready");
  const pong = b.run(RO, "mappedPingPong", { mine: "inbox", theirs: "out", role: "pong", iters: 20000 });
  await ready;
  const us = await within(
    30_000,
    a.run(RO, "mappedPingPong", { mine: "inbox", theirs: "out", role: "ping", iters: 20000 }),
  );
  await pong;
  assert(us > 0);
});

conformance(
  "mmap: a mapping outlives unregister until munmap; the offsets are free again at once",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const roff = await b.run(R, "register", {
      ep: "conn0",
      name: "win",
      pages: 1,
      seed: 5,
      offset: 0x20000,
    });
    await a.run(R, "mmap", { ep: "c", name: "v", roff, length: PAGE });
    assertEquals(await b.run(R, "unregister", { ep: "conn0", offset: roff, length: PAGE }), "ok");
    // The peer can no longer reach it by RMA, but its mapping still is the memory.
    assertEquals(await a.run(R, "calls", { ep: "c", list: [["vreadFrom", "view:v", roff, SCIF_RMA_SYNC]] }), [
      "ENXIO",
    ]);
    await a.run(R, "poke", { name: "v", at: 0, bytes: [42] });
    assertEquals(await b.run(R, "peek", { name: "win", at: 0, length: 1 }), [42]);
    assertEquals(
      await b.run(R, "register", { ep: "conn0", name: "again", pages: 1, seed: 6, offset: 0x20000 }),
      0x20000,
    );
    assertEquals(await a.run(R, "munmap", { ep: "c", name: "v" }), "ok");
    assertEquals(await a.run(R, "munmap", { ep: "c", name: "v" }), "EINVAL", "a second munmap of the view");
  },
);

conformance(
  "rma: after the peer closes, calls fail with ECONNRESET and mappings stay valid until munmap",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const loff = await a.run(R, "register", { ep: "c", name: "l", pages: 1, seed: 1 });
    const roff = await b.run(R, "register", { ep: "conn0", name: "win", pages: 1, seed: 2 });
    await a.run(R, "mmap", { ep: "c", name: "v", roff, length: PAGE });
    await b.run(S, "close", { name: "conn0" });
    await new Promise((r) => setTimeout(r, 30));
    assertEquals(
      await a.run(R, "rma", { ep: "c", op: "writeTo", loff, len: 8, roff, flags: SCIF_RMA_SYNC }),
      "ECONNRESET",
    );
    assertEquals(
      await a.run(R, "calls", {
        ep: "c",
        list: [["fenceMark", 1], ["register", "mem:l"], ["mmap", roff, PAGE, 1]],
      }),
      ["ECONNRESET", "ECONNRESET", "ECONNRESET"],
    );
    await a.run(R, "poke", { name: "v", at: 0, bytes: [77] });
    assertEquals(await b.run(R, "peek", { name: "win", at: 0, length: 1 }), [77]);
    assertEquals(await a.run(R, "munmap", { ep: "c", name: "v" }), "ok");
  },
);

conformance(
  "rma: a node lost while its transfers are queued: the survivor's fence and calls fail, nothing hangs",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const loff = await a.run(R, "register", { ep: "c", name: "l", pages: 2048, seed: 1 });
    const roff = await b.run(R, "register", { ep: "conn0", name: "win", pages: 2048, seed: 2 });
    for (let i = 0; i < 4; i++) {
      await a.run(R, "rma", { ep: "c", op: "writeTo", loff, len: 2048 * PAGE, roff, flags: 0 });
    }
    a.terminate();
    const r = await within(
      3000,
      b.run(R, "calls", { ep: "conn0", list: [["fenceWait", 0x80000000 + 1]] }),
      "the survivor's fence",
    );
    assert(r[0] === "ECONNRESET" || r[0] === "ENODEV" || r[0] === "ok", r[0]);
    // A thread's end shows at once; a process's within a second (its peers look at its locks).
    await new Promise((res) => setTimeout(res, cluster.endIsLoss ? 50 : 600));
    assertEquals(
      await b.run(R, "rma", {
        ep: "conn0",
        op: "readFrom",
        loff: roff,
        len: 8,
        roff: loff,
        flags: SCIF_RMA_SYNC,
      }),
      "ECONNRESET",
    );
  },
);

conformance(
  "mmap: a range over two adjacent windows whose memory is apart is one view (Intel's mmap tutorial), where FFI maps pages",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    await b.run(R, "register", { ep: "conn0", name: "w1", pages: 2, seed: 1, offset: 0x100000 });
    await b.run(R, "allocate", { name: "spacer", bytes: 3 * PAGE });
    await b.run(R, "register", { ep: "conn0", name: "w2", pages: 2, seed: 2, offset: 0x102000 });
    // deno-lint-ignore no-explicit-any
    if (typeof (globalThis as any).Deno?.dlopen !== "function") {
      // A browser: no FFI to map pages with, so such a range is EINVAL (one window at a time works).
      assertEquals(await a.run(R, "calls", { ep: "c", list: [["mmap", 0x100000, 4 * PAGE, 3]] }), ["EINVAL"]);
      return;
    }
    assertEquals(await a.run(R, "mmap", { ep: "c", name: "v", roff: 0x100000, length: 4 * PAGE }), 4 * PAGE);
    await a.run(R, "poke", { name: "v", at: 3 * PAGE + 1, bytes: [42] });
    assertEquals(await b.run(R, "peek", { name: "w2", at: PAGE + 1, length: 1 }), [42]);
    assertEquals(
      await a.run(R, "peek", { name: "v", at: 2 * PAGE, length: 4 }),
      await b.run(R, "peek", { name: "w2", at: 0, length: 4 }),
    );
    assertEquals(await a.run(R, "munmap", { ep: "c", name: "v" }), "ok");
  },
  // The simulated device maps one pointer: windows apart are EINVAL there (tests/fixtures/README.md).
  ["emu", "machine"],
);

conformance(
  "rma: fenceWait on a mark that is never reached fails with ETIMEDOUT after the network's fence timeout (the kernel's SCIF_NODE_ALIVE_TIMEOUT), ours and the peer's; the endpoint works on",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2, fenceTimeoutMs: 300 });
    const [a, b] = await cluster.connectedPair();
    const loff = await a.run(R, "register", { ep: "c", name: "l", pages: 1, seed: 1 });
    const roff = await b.run(R, "register", { ep: "conn0", name: "win", pages: 1, seed: 2 });
    for (const peer of [false, true]) {
      const r = await within(
        5000,
        a.run(RO, "futureFence", { ep: "c", peer, ahead: 1000 }),
      );
      assertEquals(r.code, "ETIMEDOUT", `peer: ${peer}`);
      assert(r.ms >= 290, `gave up after ${r.ms} ms`);
    }
    await a.run(R, "rma", { ep: "c", op: "writeTo", loff, len: 8, roff, flags: 0 });
    assertEquals(
      await a.run(RO, "futureFence", { ep: "c", peer: false, ahead: 0 }).then((r) =>
        (r as { code: string }).code
      ),
      "ok",
    );
  },
  ["emu", "machine"],
);
