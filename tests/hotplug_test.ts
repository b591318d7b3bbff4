// Hot-plug (node_control.ts, emu/_hotplug.ts): a node taken down while programs run, and
// brought up again, on a network of threads (the node in a Worker, taken down by the test's
// Network) and on the machine's network (the node in another process, taken down by the test
// process through machineNetwork(), and by `scif node down`). What the kernel does when a card
// is reset (docs/scif-facts.md, node loss): its peers drain what it sent, then ECONNRESET;
// connects ENODEV; gone from getNodeIds; noderemove, then nodeadd when it is up; the node's own
// endpoints lose everything; a node brought up is a new incarnation, and nothing of the old
// one sees its traffic. Nothing hangs.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { machineNetwork, type NodeControl, SCIF_RMA_SYNC, ScifError } from "../mod.ts";
import { type Backend, Cluster, conformance, delay, guarded, scenarios, within } from "./_cluster.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const H = scenarios<typeof import("./_hotplug_scenarios.ts")>(
  new URL("./_hotplug_scenarios.ts", import.meta.url),
);
const R = scenarios<typeof import("./_rma_scenarios.ts")>(new URL("./_rma_scenarios.ts", import.meta.url));
const PAGE = 4096;
const BOTH: Backend[] = ["emu", "machine"];

/** Who takes the cluster's nodes down: its Network, or the machine's network. */
async function control(cluster: Cluster): Promise<NodeControl> {
  return cluster.backend === "machine" ? await machineNetwork({ dir: cluster.dir }) : cluster.net;
}

/** Waits until `cond` holds (within `ms`). */
async function until(ms: number, what: string, cond: () => Promise<boolean>): Promise<void> {
  await within(
    ms,
    (async () => {
      while (!(await cond())) await delay(5);
    })(),
    what,
  );
}

conformance(
  "hotplug: a node taken down while it streams: the receiver drains every byte sent, then ECONNRESET; ENODEV, getNodeIds and node events; up again, a new incarnation that old endpoints never see",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 3 });
    const [a, b] = await cluster.connectedPair(); // a (node 0) has "c", b (node 1) "conn0"
    const watcher = await cluster.spawn(2);
    await watcher.run(H, "watchEvents");
    const ctl = await control(cluster);
    const streaming = a.signal("streaming");
    const sender = b.run(H, "streamPattern", { name: "conn0" });
    const receiver = a.run(H, "drainPattern", { name: "c" });
    await streaming;
    const t0 = performance.now();
    await within(3000, ctl.nodeDown(1), "nodeDown");
    assertEquals(ctl.nodeState(1), "down");
    const sent = await within(3000, sender, "the down node's send");
    const got = await within(3000, receiver, "the receiver's drain");
    assert(performance.now() - t0 < 1000, `the reset came after ${(performance.now() - t0).toFixed(0)} ms`);
    // The node's own endpoint is reset; its peer read every byte the node sent, then the reset.
    assertEquals(sent.code, "ECONNRESET");
    assertEquals(got, { code: "ECONNRESET", received: sent.sent, intact: true });
    assertEquals(await a.run(S, "tryConnect", { dst: { node: 1, port: 2000 } }), "ENODEV");
    assertEquals((await a.run(S, "nodeIds")).nodes, [0, 2]);
    await until(2000, "noderemove 1", async () => (await watcher.run(H, "events")).includes("noderemove 1"));
    // The program on the node lost everything: its node's calls ENODEV, its endpoint ECONNRESET.
    assertEquals(await b.run(H, "ownCalls", { names: ["conn0"] }), [
      "ENODEV",
      "ENODEV",
      "ENODEV",
      "ECONNRESET",
      "ECONNRESET",
    ]);
    // Down twice is nothing; bad ids and the host are refused.
    await ctl.nodeDown(1);
    for (const [id, code] of [[0, "EINVAL"], [3, "ENODEV"], [-1, "ENODEV"], [1.5, "EINVAL"]] as const) {
      const e = await ctl.nodeDown(id).then(() => null, (e) => e);
      assert(e instanceof ScifError, `nodeDown(${id}) did not fail with a ScifError`);
      assertEquals(e.code, code, `nodeDown(${id})`);
    }

    await within(3000, ctl.nodeUp(1), "nodeUp");
    // The machine's node is online at once; a thread's node once a thread attaches it.
    assertEquals(ctl.nodeState(1), backend === "machine" ? "online" : "offline");
    const b2 = await cluster.spawn(1);
    await until(2000, "nodeadd 1", async () => (await watcher.run(H, "events")).includes("nodeadd 1"));
    assertEquals(await watcher.run(H, "events"), ["noderemove 1", "nodeadd 1"]);
    assertEquals((await a.run(S, "nodeIds")).nodes, [0, 1, 2]);
    const listening = b2.signal("listening");
    const server = b2.run(S, "listen", { port: 2000, backlog: 1, accepts: 1 });
    await listening;
    await a.run(S, "connect", { dst: { node: 1, port: 2000 }, name: "c2" });
    await server;
    await a.run(S, "send", { name: "c2", bytes: [4, 5, 6] });
    assertEquals(await b2.run(S, "recv", { name: "conn0", len: 3 }), [4, 5, 6]);
    // Nothing of the new incarnation reaches the old endpoints, on either side.
    assertEquals(await a.run(S, "recv", { name: "c", len: 1 }), "ECONNRESET");
    assertEquals(await b.run(H, "ownCalls", { names: ["conn0"] }), [
      "ENODEV",
      "ENODEV",
      "ENODEV",
      "ECONNRESET",
      "ECONNRESET",
    ]);
  },
  BOTH,
);

conformance(
  "hotplug: the receiver's node taken down mid-stream: the sender gets ECONNRESET within 1 s, a pending connect and an accept of its request ENODEV",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 3 });
    const [a, b] = await cluster.connectedPair();
    const c = await cluster.spawn(2);
    const ctl = await control(cluster);
    // c listens and never accepts; b's connect to it is pending when b's node goes down.
    const listening = c.signal("listening");
    c.run(S, "listen", { port: 3000, backlog: 4 }).catch(() => {});
    await listening;
    const streaming = a.signal("streaming");
    const sender = a.run(H, "streamPattern", { name: "c" });
    b.run(H, "drainPattern", { name: "conn0" }).catch(() => {});
    await streaming;
    const connecting = b.run(S, "tryConnect", { dst: { node: 2, port: 3000 } });
    await c.run(S, "poll", { entries: [{ name: "listener", events: 1 }], timeoutMs: 5000 });
    const t0 = performance.now();
    await within(3000, ctl.nodeDown(1), "nodeDown");
    const r = await within(3000, sender, "the sender's failure");
    assertEquals(r.code, "ECONNRESET");
    assert(performance.now() - t0 < 1000);
    assertEquals(await within(3000, connecting, "the down node's pending connect"), "ENODEV");
    assertEquals(await c.run(S, "accept", { block: true }), "ENODEV");
    await ctl.nodeUp(1);
  },
  BOTH,
);

conformance(
  "hotplug: a node taken down while RMA is queued, to it and by it: each side's fenceWait completes or fails with the kernel's errno, later RMA is ECONNRESET, a mapping of its window stays until munmap",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const ctl = await control(cluster);
    const pages = 2048;
    const loff = await a.run(R, "register", { ep: "c", name: "l", pages, seed: 1 });
    const roff = await b.run(R, "register", { ep: "conn0", name: "win", pages, seed: 2 });
    assertEquals(await a.run(R, "mmap", { ep: "c", name: "v", roff, length: PAGE }), PAGE);
    // Both sides queue transfers to their DMA engines (no SYNC), then wait for a fence.
    const queuedA = a.signal("queued");
    const queuedB = b.signal("queued");
    const survivor = a.run(H, "queueThenFence", { ep: "c", loff, roff, len: pages * PAGE, count: 4 });
    const downed = b.run(H, "queueThenFence", {
      ep: "conn0",
      loff: roff,
      roff: loff,
      len: pages * PAGE,
      count: 4,
    });
    await Promise.all([queuedA, queuedB]);
    await within(3000, ctl.nodeDown(1), "nodeDown");
    const ra = await within(5000, survivor, "the survivor's fence");
    const rb = await within(5000, downed, "the down node's fence");
    const fine = ["ok", "ECONNRESET", "ENODEV"];
    for (const r of [ra, rb]) {
      for (const w of r.writes) assert(fine.includes(w), w);
      assert(fine.includes(r.mark), r.mark);
      assert(fine.includes(r.fence), r.fence);
    }
    const sync = { op: "readFrom", loff, len: 8, roff, flags: SCIF_RMA_SYNC } as const;
    assertEquals(await a.run(R, "rma", { ep: "c", ...sync }), "ECONNRESET");
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
    assertEquals(await a.run(R, "calls", { ep: "c", list: [["fenceMark", 1]] }), ["ECONNRESET"]);
    // The survivor's mapping of the lost node's window: valid until munmap, as after a loss.
    await a.run(R, "poke", { name: "v", at: 0, bytes: [77] });
    assertEquals(await a.run(R, "peek", { name: "v", at: 0, length: 1 }), [77]);
    assertEquals(await a.run(R, "munmap", { ep: "c", name: "v" }), "ok");
    await ctl.nodeUp(1);
  },
  BOTH,
);

Deno.test("hotplug: a node down cannot be attached (ENODEV); nodeState; up and down are idempotent", () =>
  guarded(async () => {
    await using cluster = await Cluster.create({ backend: "emu", nodes: 3 });
    const net = cluster.net;
    const host = await cluster.local(0);
    assertEquals([0, 1, 2].map((id) => net.nodeState(id)), ["online", "offline", "offline"]);
    await net.nodeDown(2); // a node nobody attached may be taken down too
    assertEquals(net.nodeState(2), "down");
    const e = await net.node(2).then(() => null, (e) => e);
    assert(e instanceof ScifError && e.code === "ENODEV", String(e));
    await net.nodeUp(2);
    await net.nodeUp(2);
    assertEquals(net.nodeState(2), "offline");
    const two = await net.node(2);
    assertEquals(host.getNodeIds().nodes, [0, 2]);
    for (const bad of ["1", null, 2 ** 53]) {
      const f = await net.nodeUp(bad as number).then(() => null, (e) => e);
      assert(f instanceof ScifError, String(f));
    }
    assertEquals((await net.nodeUp(0).catch((e) => e)).code, "EINVAL");
    assertThrowsCode(() => net.nodeState(9), "ENODEV");
    await two.close();
  }));

function assertThrowsCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ScifError)) throw e;
    assertEquals(e.code, code);
    return;
  }
  throw new Error(`did not throw ${code}`);
}

// ---- the command line ----

const CLI = new URL("../cli/scif.ts", import.meta.url).pathname;

async function scif(dir: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    env: { SCIF_EMU_DIR: dir },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("hotplug: scif node down 2 / scif node up 2 from other programs; the host and bad ids are refused", () =>
  guarded(async () => {
    await using cluster = await Cluster.create({ backend: "machine", nodes: 4 });
    const [a, b] = await cluster.connectedPair();
    const c = await cluster.spawn(2);
    await b.run(H, "watchEvents");
    const listening = c.signal("listening");
    const server = c.run(S, "listen", { port: 2000, backlog: 1, accepts: 1 });
    await listening;
    await b.run(S, "connect", { dst: { node: 2, port: 2000 }, name: "toTwo" });
    await server;
    const down = await scif(cluster.dir, ["node", "down", "2"]);
    assertEquals([down.code, down.out.trim()], [0, "node 2: down"], down.err);
    assertEquals(await b.run(S, "recv", { name: "toTwo", len: 1 }), "ECONNRESET");
    assertEquals(await b.run(S, "tryConnect", { dst: { node: 2, port: 2000 } }), "ENODEV");
    assertEquals((await b.run(S, "nodeIds")).nodes, [0, 1, 3]);
    const nodes = await scif(cluster.dir, ["nodes", "--json"]);
    assertEquals([JSON.parse(nodes.out).nodes, JSON.parse(nodes.out).down], [[0, 1, 3], [2]]);
    assertMatch((await scif(cluster.dir, ["nodes"])).out, /^2\s+card\s+down$/m);
    // The connection between the other nodes goes on.
    await a.run(S, "send", { name: "c", bytes: [1, 2] });
    assertEquals(await b.run(S, "recv", { name: "conn0", len: 2 }), [1, 2]);
    const up = await scif(cluster.dir, ["node", "up", "2"]);
    assertEquals([up.code, up.out.trim()], [0, "node 2: online"], up.err);
    assertEquals((await b.run(S, "nodeIds")).nodes, [0, 1, 2, 3]);
    await until(2000, "the events", async () => (await b.run(H, "events")).length === 2);
    assertEquals(await b.run(H, "events"), ["noderemove 2", "nodeadd 2"]);
    const host = await scif(cluster.dir, ["node", "down", "0"]);
    assertEquals(host.code, 22);
    assertMatch(host.err, /^scif node: EINVAL: node 0 is the host: it cannot be taken down/);
    const none = await scif(cluster.dir, ["node", "down", "9"]);
    assertEquals(none.code, 19);
    assertMatch(none.err, /ENODEV: node 9 does not exist/);
    for (
      const args of [["node"], ["node", "sideways", "2"], ["node", "down", "x"], ["node", "down", "2", "3"]]
    ) {
      assertEquals((await scif(cluster.dir, args)).code, 64, args.join(" "));
    }
  }));
