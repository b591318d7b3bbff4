// Statistics (ScifNode.stats, `scif stats`): the counters agree exactly with what a test sent
// and received, on both ends, on every backend (a network of threads, the machine's network
// with its nodes in processes, the hardware backend on the simulated device); an endpoint's
// counts stay in the node's totals once it is closed.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { Cluster, conformance, scenarios, within } from "./_cluster.ts";
import { createNetwork, type EndpointStats, type NodeStats } from "../mod.ts";
import { backendOf } from "../node.ts";
import type { EmuNode } from "../emu/_node.ts";
import {
  S_NODE,
  S_STAT_BYTES_RECEIVED,
  S_STAT_BYTES_SENT,
  S_STAT_ENDPOINTS,
  S_STAT_RMA_BYTES,
  slotField,
} from "../emu/_layout.ts";

const ST = scenarios<typeof import("./_stats_scenarios.ts")>(
  new URL("./_stats_scenarios.ts", import.meta.url),
);

const MESSAGES = 37;
const SIZE = 1000;
const REPLY = 4321;
const RMA = 3 * 4096 + 100;
const WINDOW = 4 * 4096;
const AT = 0x40000;

function entry(s: NodeStats, port: number, state: string): EndpointStats {
  const e = s.endpoints.find((e) => e.port === port && e.state === state);
  if (!e) throw new Error(`no ${state} endpoint on port ${port} in ${JSON.stringify(s.endpoints)}`);
  return e;
}

conformance(
  "stats: bytes, messages, RMAs, fences and windows counted exactly on both ends",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    assertEquals(await b.run(ST, "exposeWindow", { name: "conn0", bytes: WINDOW, offset: AT }), AT);
    await within(
      60_000,
      Promise.all([
        a.run(ST, "sendMessages", { name: "c", count: MESSAGES, size: SIZE }),
        b.run(ST, "recvMessages", { name: "conn0", count: MESSAGES, size: SIZE }),
      ]),
      "the messages",
    );
    await within(
      60_000,
      Promise.all([
        b.run(ST, "sendMessages", { name: "conn0", count: 1, size: REPLY }),
        a.run(ST, "recvMessages", { name: "c", count: 1, size: REPLY }),
      ]),
      "the reply",
    );
    assert(await a.run(ST, "rma", { name: "c", bytes: RMA, offset: AT }));

    const sa = await a.run(ST, "stats", { name: "c" });
    const sb = await b.run(ST, "stats", { name: "conn0" });
    assertEquals([sa.stats.node, sb.stats.node], [0, 1]);
    assertEquals([sa.stats.droppedMessages, sb.stats.droppedMessages], [0, 0]);
    const [pa, pb] = [sa.port!, sb.port!];
    const ea = entry(sa.stats, pa, "CONNECTED");
    const eb = entry(sb.stats, pb, "CONNECTED");
    assertEquals(ea.peer, { node: 1, port: pb });
    assertEquals(eb.peer, { node: 0, port: pa });
    const counts = (e: EndpointStats) => ({
      bytesSent: e.bytesSent,
      bytesReceived: e.bytesReceived,
      messagesSent: e.messagesSent,
      messagesReceived: e.messagesReceived,
      rmaReads: e.rmaReads,
      rmaReadBytes: e.rmaReadBytes,
      rmaWrites: e.rmaWrites,
      rmaWriteBytes: e.rmaWriteBytes,
      fenceMarks: e.fenceMarks,
      fenceWaits: e.fenceWaits,
      fenceSignals: e.fenceSignals,
      windowsRegistered: e.windowsRegistered,
      windowsUnregistered: e.windowsUnregistered,
    });
    assertEquals(counts(ea), {
      bytesSent: MESSAGES * SIZE,
      bytesReceived: REPLY,
      messagesSent: MESSAGES,
      messagesReceived: 1,
      rmaReads: 1,
      rmaReadBytes: RMA,
      rmaWrites: 1,
      rmaWriteBytes: RMA,
      fenceMarks: 1,
      fenceWaits: 1,
      fenceSignals: 0,
      windowsRegistered: 0,
      windowsUnregistered: 0,
    });
    assertEquals(counts(eb), {
      bytesSent: REPLY,
      bytesReceived: MESSAGES * SIZE,
      messagesSent: 1,
      messagesReceived: MESSAGES,
      rmaReads: 0,
      rmaReadBytes: 0,
      rmaWrites: 0,
      rmaWriteBytes: 0,
      fenceMarks: 0,
      fenceWaits: 0,
      fenceSignals: 0,
      windowsRegistered: 1,
      windowsUnregistered: 0,
    });
    for (const e of [ea, eb]) assert(e.wakeups >= 0 && e.blockedMs >= 0 && Number.isFinite(e.blockedMs));
    // The listener is listed too (no traffic), and the totals are the sums.
    assert(sb.stats.endpoints.some((e) => e.port === pb && e.state !== "CONNECTED"));
    assertEquals(sa.stats.totals.bytesSent, MESSAGES * SIZE);
    assertEquals(sb.stats.totals.bytesReceived, MESSAGES * SIZE);
    if (backend === "hw") assertEquals(sa.stats.slots, []);
    else {
      const self = sa.stats.slots.filter((s) => s.self);
      assertEquals(self.length, 1);
      assertEquals(self[0].node, 0);
      // What b's program published (its stats() call just did) is what a sees in its line.
      const seen = (await a.run(ST, "stats", {})).stats.slots.find((s) => s.node === 1 && !s.self);
      if (!seen) throw new Error("node 1's program is not in the slot table");
      assertEquals(
        [seen.bytesSent, seen.bytesReceived, seen.messagesSent, seen.messagesReceived, seen.rmaBytes],
        [REPLY, MESSAGES * SIZE, 1, MESSAGES, 0],
      );
      const own = (await a.run(ST, "stats", {})).stats.slots.find((s) => s.self)!;
      assertEquals([own.bytesSent, own.rmaBytes], [MESSAGES * SIZE, 2 * RMA]);
    }

    // A closed endpoint leaves the list; its counts stay in the totals.
    await a.run(ST, "closeEndpoint", { name: "c" });
    const after = (await a.run(ST, "stats", {})).stats;
    assert(!after.endpoints.some((e) => e.port === pa && e.state === "CONNECTED"));
    assertEquals(after.totals.bytesSent, MESSAGES * SIZE);
    assertEquals(after.totals.rmaWriteBytes, RMA);
  },
);

const CLI = new URL("../cli/scif.ts", import.meta.url).pathname;

async function scif(dir: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    env: { SCIF_EMU_DIR: dir },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("cli: scif stats --json parses, names the node, and shows another program's exact byte counts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scif-stats-" });
  const echo = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "echo", "--count", "2"],
    env: { SCIF_EMU_DIR: dir },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    // Wait until it listens.
    const reader = echo.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let said = "";
    while (!/scif echo: node 0, port \d+/.test(said)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`scif echo ended: ${said}`);
      said += value;
    }
    reader.releaseLock();
    echo.stderr.cancel().catch(() => {});
    const ping = await scif(dir, ["ping", "0", "--count", "50", "--size", "8", "--node", "1"]);
    assertEquals(ping.code, 0, ping.err);
    // The echo program published its sums when its connection ended: 400 bytes each way.
    let echoLine: Record<string, number> | undefined;
    let last = "";
    for (let i = 0; i < 50 && echoLine?.bytesReceived !== 400; i++) {
      const r = await scif(dir, ["stats", "--json"]);
      assertEquals(r.code, 0, r.err);
      last = r.out;
      const j = JSON.parse(r.out);
      assertEquals([j.self, j.node, j.network, j.backend], [0, 0, "machine", "emu"]);
      assert(Array.isArray(j.nodes) && j.nodes.includes(0) && j.nodes.includes(1));
      assertEquals(j.slots.filter((s: { self: boolean }) => s.self).length, 1);
      echoLine = j.slots.find((s: { self: boolean; node: number }) => !s.self && s.node === 0);
      if (echoLine?.bytesReceived !== 400) await new Promise((r) => setTimeout(r, 100));
    }
    if (!echoLine) throw new Error(`no line of the echo program in ${last}`);
    assertEquals([echoLine.bytesReceived, echoLine.bytesSent, echoLine.endpoints], [400, 400, 1], last);
    const j = JSON.parse(last);
    assertEquals(j.perNode.find((n: { node: number }) => n.node === 0).bytesReceived, 400);
    // The table, refreshed twice.
    const watch = await scif(dir, ["stats", "--watch", "20", "--count", "2"]);
    assertEquals(watch.code, 0, watch.err);
    assertEquals(watch.out.match(/^NODE +PROGRAMS/gm)?.length, 2, watch.out);
    assertMatch(watch.out, /this command/);
    const bad = await scif(dir, ["stats", "--count", "0"]);
    assertEquals(bad.code, 64);
  } finally {
    echo.kill("SIGKILL");
    await echo.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stats: another program's slot line is checked before it is shown (nonsense reads as 0)", async () => {
  await using net = await createNetwork({ nodes: 2 });
  const [n0, n1] = [await net.node(0), await net.node(1)];
  const victim = backendOf(n1) as EmuNode;
  const i64 = new BigInt64Array(victim.net.i32.buffer);
  const at = (f: number) => slotField(victim.net.layout, victim.slot, f) >> 3;
  Atomics.store(i64, at(S_STAT_BYTES_SENT), -5n);
  Atomics.store(i64, at(S_STAT_BYTES_RECEIVED), 1n << 62n);
  Atomics.store(i64, at(S_STAT_RMA_BYTES), 12345n);
  victim.net.store(slotField(victim.net.layout, victim.slot, S_STAT_ENDPOINTS), -1);
  const line = n0.stats().slots.find((s) => s.node === 1)!;
  assertEquals([line.bytesSent, line.bytesReceived, line.rmaBytes, line.endpoints], [0, 0, 12345, 0]);
  // A node out of range leaves the line out.
  victim.net.store(slotField(victim.net.layout, victim.slot, S_NODE), 99);
  assertEquals(n0.stats().slots.map((s) => s.node), [0]);
  victim.net.store(slotField(victim.net.layout, victim.slot, S_NODE), 1);
});
