/**
 * The demo (`deno task demo`), the main job: a host and two cards on an emulated SCIF network
 * say hello, then the chart of the seed document is measured on this machine — bandwidth
 * against transfer size for SCIF RMA (writeTo, readFrom), the SCIF send/recv stream, TCP
 * loopback and the memcpy ceiling, all between the same two threads in one run — followed by
 * the latency table and how the round trip holds up with 8 nodes and 256 endpoints.
 *
 * ```sh
 * deno task demo                                  # about a minute; writes chart.svg
 * deno run -A demo/main.ts --quick                # about ten seconds
 * deno run -A demo/main.ts --out out/chart.svg --json out/figures.json
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { createNetwork, type ScifNode } from "../mod.ts";
import { type BandwidthMethod, Lab, type LatencyMethod, median } from "../bench/lab.ts";
import { type Series, sizeLabel, svgChart, terminalChart } from "./_chart.ts";
import { recvMessage, sendMessage } from "./_messages.ts";
import { table } from "./_table.ts";

const args = parseArgs(Deno.args, {
  boolean: ["quick"],
  string: ["out", "json"],
  default: { out: "chart.svg" },
});
const quick = args.quick;
const tty = Deno.stderr.isTerminal();
const t0 = performance.now();

/** Shows what is being measured: one updating line on a terminal, a line per phase otherwise. */
function progress(text: string, phase = false): void {
  const elapsed = `${((performance.now() - t0) / 1000).toFixed(0)} s`;
  if (tty) Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[K  ${text}  (${elapsed})`));
  else if (phase) console.error(`  ${text} (${elapsed})`);
}

function done(): void {
  if (tty) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
}

// ---- 1. A host and two cards say hello ----

function card(): Worker {
  return new Worker(new URL("./_card.ts", import.meta.url), { type: "module" });
}

function next<T>(w: Worker, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (e: MessageEvent) => {
      if (e.data.type !== type) return;
      w.removeEventListener("message", on);
      resolve(e.data);
    };
    w.addEventListener("message", on);
  });
}

async function talk(host: ScifNode, node: number, text: string): Promise<string> {
  const ep = host.open();
  await ep.connect({ node, port: 2000 });
  await sendMessage(ep, text);
  const reply = await recvMessage(ep);
  ep.close();
  return reply;
}

console.log("scif demo: SCIF for Deno on an emulated SCIF network (nodes are threads)\n");
{
  const net = await createNetwork({ nodes: 3 });
  const host = await net.node(0);
  const cards = [card(), card()];
  await Promise.all(cards.map((w, i) => {
    const ready = next(w, "ready");
    w.postMessage({ type: "attach", handle: net.handle(i + 1) });
    return ready;
  }));
  const { nodes, self } = host.getNodeIds();
  console.log(table([
    ["node", "role", "runs in", "online"],
    ...nodes.map((
      id,
    ) => [String(id), id === 0 ? "host" : "card", id === self ? "main thread" : "Worker", "yes"]),
  ]));
  for (const id of [1, 2]) {
    console.log(`host -> card ${id}: ${await talk(host, id, `hello card ${id}, this is the host`)}`);
  }
  const reply = next<{ text: string }>(cards[0], "reply");
  cards[0].postMessage({ type: "greet", card: 2 });
  console.log(`card 1 -> card 2: ${(await reply).text}\n`);
  await host.close();
  cards.forEach((w) => w.terminate());
  await net.close();
}

// ---- 2. Latency: an 8-byte round trip, every way, between the same two Workers ----
// Measured first, on a lab of its own: fresh threads, before the bandwidth runs have filled
// their heaps.

const sizes: number[] = [];
for (let s = 1024; s <= (quick ? 64 << 20 : 128 << 20); s *= quick ? 4 : 2) sizes.push(s);
// The bandwidth lab is opened now, so that its DMA engines (Workers started by Workers, which
// take a while in Deno) are up by the time the chart is measured; it sits idle meanwhile.
const lab = await Lab.open({ bytes: sizes.at(-1)! });
const latencyLab = await Lab.open({ bytes: 1 << 20 });

const latencyMethods: { method: LatencyMethod; name: string; iters: number }[] = [
  { method: "raw", name: "raw Atomics ping-pong (one cache line)", iters: quick ? 100_000 : 400_000 },
  { method: "mmap", name: "SCIF mmap'd window", iters: quick ? 100_000 : 400_000 },
  { method: "sendrecv", name: "SCIF send/recv", iters: quick ? 100_000 : 400_000 },
  { method: "tcp", name: "TCP loopback", iters: quick ? 2_000 : 10_000 },
  { method: "postMessage", name: "postMessage", iters: quick ? 2_000 : 10_000 },
];
const rounds = quick ? 3 : 7;
const runs: Record<LatencyMethod, number[]> = { raw: [], mmap: [], sendrecv: [], tcp: [], postMessage: [] };
// Each path first runs, not counted, for a while (its first runs share the cores with the
// compiler threads that optimize it), then all are measured in interleaved rounds.
for (const m of latencyMethods) {
  progress(`warming up: ${m.name}`, m.method === "raw");
  await latencyLab.warmUp(m.method, m.iters);
}
for (let r = 0; r < rounds; r++) {
  for (const m of latencyMethods) {
    progress(`measuring round trips: ${m.name}, round ${r + 1}/${rounds}`, r === 0 && m.method === "raw");
    runs[m.method].push(await latencyLab.latency(m.method, m.iters));
  }
}
done();
const us: Record<LatencyMethod, number> = Object.fromEntries(
  latencyMethods.map((m) => [m.method, median(runs[m.method])]),
) as Record<
  LatencyMethod,
  number
>;
const latencyReport =
  `\n8-byte round trip between the same two Workers (median of ${rounds} interleaved rounds):\n\n` + table([
    ["path", "round trip", "vs raw"],
    ...latencyMethods.map((
      m,
    ) => [m.name, `${us[m.method].toFixed(3)} us`, `${(us[m.method] / us.raw).toFixed(2)}x`]),
  ]);

// ---- 3. Scale: 8 nodes and 256 endpoints, and what an idle connection costs ----

progress("crowding the network: 8 nodes, 256 endpoints", true);
const perConnection = await latencyLab.crowd(128);
const crowdedRuns: number[] = [];
const pairRuns: number[] = [];
for (let r = 0; r < rounds; r++) {
  crowdedRuns.push(await latencyLab.latency("sendrecv", latencyMethods[2].iters));
}
done();
pairRuns.push(...runs.sendrecv);
const crowded = median(crowdedRuns);
await latencyLab.close();
const scaleReport =
  `\nWith 8 nodes online and 256 endpoints connected (128 idle connections), the send/recv round trip is ${
    crowded.toFixed(3)
  } us, ${(crowded / median(pairRuns)).toFixed(2)}x the single pair. An idle connection holds ${
    sizeLabel(perConnection)
  } of shared memory (two endpoint queue pairs: a 256 KiB receive ring and its cells each).\n`;

// ---- 4. The chart: bandwidth against transfer size ----

const minMs = quick ? 25 : 120;
const methods: { method: BandwidthMethod; name: string; mark: string; color: string; dashed?: boolean }[] = [
  { method: "writeTo", name: "SCIF RMA writeTo", mark: "W", color: "#0969da" },
  { method: "readFrom", name: "SCIF RMA readFrom", mark: "R", color: "#8250df" },
  { method: "stream", name: "SCIF send/recv stream", mark: "S", color: "#1a7f37" },
  { method: "tcp", name: "TCP loopback", mark: "T", color: "#cf222e" },
  { method: "memcpy", name: "memcpy, one thread (set)", mark: "M", color: "#6e7781", dashed: true },
];

console.log(
  `Bandwidth between two Workers, ${sizeLabel(sizes[0])} to ${sizeLabel(sizes.at(-1)!)} transfers:`,
);
const gbps: Record<BandwidthMethod, number[]> = {
  writeTo: [],
  readFrom: [],
  stream: [],
  tcp: [],
  memcpy: [],
};
// A first pass, not counted, so that every path is compiled and warm before it is timed.
for (const m of methods) {
  progress(`warming up: ${m.name}`, m.method === "writeTo");
  for (const size of [1024, 65536, 1 << 20]) await lab.bandwidth(m.method, size, minMs / 2);
}
let step = 0;
const steps = sizes.length * methods.length;
for (const size of sizes) {
  for (const m of methods) {
    progress(`measuring ${m.name}, ${sizeLabel(size)} transfers [${++step}/${steps}]`, step === 1);
    gbps[m.method].push(await lab.bandwidth(m.method, size, minMs));
  }
}
done();
const series: Series[] = methods.map((m) => ({ ...m, values: gbps[m.method] }));
const g = (v: number) => v.toFixed(2);
console.log(table([
  ["size", ...methods.map((m) => m.name.replace("SCIF ", "")), "RMA/memcpy", "RMA/TCP"],
  ...sizes.map((s, i) => {
    const rma = Math.min(gbps.writeTo[i], gbps.readFrom[i]);
    return [
      sizeLabel(s),
      ...methods.map((m) => g(gbps[m.method][i])),
      g(rma / gbps.memcpy[i]),
      `${(rma / gbps.tcp[i]).toFixed(1)}x`,
    ];
  }),
]));
console.log(
  `(GB/s; each transfer size walks through ${sizeLabel(sizes.at(-1)!)} windows, as streaming data does)\n`,
);
console.log(terminalChart(sizes, series));
await lab.close();
console.log(latencyReport);
console.log(scaleReport);

// ---- 5. The goals, and the files ----

const at = (s: number) => sizes.indexOf(s);
const big = sizes.filter((s) => s >= 1 << 20);
const rmaVsCopy = Math.min(
  ...big.map((s) => Math.min(gbps.writeTo[at(s)], gbps.readFrom[at(s)]) / gbps.memcpy[at(s)]),
);
const rmaVsTcp = Math.min(
  ...big.map((s) => Math.min(gbps.writeTo[at(s)], gbps.readFrom[at(s)]) / gbps.tcp[at(s)]),
);
const streamAt64k = at(65536) >= 0 ? gbps.stream[at(65536)] / gbps.memcpy[at(65536)] : NaN;
const goals: [string, number, string, boolean][] = [
  ["RMA from 1 MiB up, worst of writeTo/readFrom vs memcpy", rmaVsCopy, ">= 0.85", rmaVsCopy >= 0.85],
  ["RMA from 1 MiB up vs TCP loopback", rmaVsTcp, ">= 2x", rmaVsTcp >= 2],
  ["send/recv stream at 64 KiB vs memcpy", streamAt64k, ">= 0.6", streamAt64k >= 0.6],
  ["8-byte round trip, mmap vs raw", us.mmap / us.raw, "<= 1.2x", us.mmap / us.raw <= 1.2],
  ["8-byte round trip, send/recv vs raw", us.sendrecv / us.raw, "<= 2x", us.sendrecv / us.raw <= 2],
  ["TCP loopback round trip vs send/recv", us.tcp / us.sendrecv, ">= 25x", us.tcp / us.sendrecv >= 25],
  [
    "postMessage round trip vs send/recv",
    us.postMessage / us.sendrecv,
    ">= 25x",
    us.postMessage / us.sendrecv >= 25,
  ],
  [
    "send/recv round trip, 8 nodes + 256 endpoints vs one pair",
    crowded / median(pairRuns),
    "<= 1.5x",
    crowded / median(pairRuns) <= 1.5,
  ],
];
console.log(table([
  ["goal", "figure", "target", ""],
  ...goals.map(([name, v, target, ok]) => [name, v.toFixed(2), target, ok ? "met" : "NOT met"]),
]));

const machine = `${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, ${
  new Date().toISOString().slice(0, 10)
}`;
const svg = svgChart({
  title: "SCIF for Deno: bandwidth against transfer size",
  subtitle: `Emulated SCIF network, two Workers on ${machine}${quick ? " (quick run)" : ""}`,
  sizes,
  series,
  notes: [
    `8-byte round trip: raw ${us.raw.toFixed(3)} us, mmap ${us.mmap.toFixed(3)} us, send/recv ${
      us.sendrecv.toFixed(3)
    } us, ` +
    `TCP ${us.tcp.toFixed(1)} us, postMessage ${us.postMessage.toFixed(1)} us.`,
    `From 1 MiB up RMA runs at >= ${rmaVsCopy.toFixed(2)} of memcpy and >= ${
      rmaVsTcp.toFixed(1)
    }x TCP loopback; an idle connection holds ${sizeLabel(perConnection)} of shared memory.`,
    "RMA copies with WebAssembly memory.copy; a SYNC transfer of 256 KiB or more is split between",
    "the caller and the node's DMA engine Worker, so on two cores it can pass one thread's memcpy.",
    `Each point repeats its transfer for at least ${minMs} ms, walking through ${
      sizeLabel(sizes.at(-1)!)
    } windows as streaming data does.`,
  ],
});
await Deno.writeTextFile(args.out, svg);
console.log(
  `\nchart written to ${args.out}${args.json ? `, figures to ${args.json}` : ""} (${
    ((performance.now() - t0) / 1000).toFixed(0)
  } s)`,
);
if (args.json) {
  const figures = {
    machine,
    quick,
    sizes,
    bandwidthGBps: gbps,
    roundTripUs: us,
    roundTripRuns: runs,
    crowded: { nodes: 8, endpoints: 256, roundTripUs: crowded, bytesPerIdleConnection: perConnection },
    goals: Object.fromEntries(goals.map(([name, v, target, ok]) => [name, { value: v, target, met: ok }])),
  };
  const text = JSON.stringify(figures, null, 2);
  if (args.json === "-") console.log(text);
  else await Deno.writeTextFile(args.json, text);
}
