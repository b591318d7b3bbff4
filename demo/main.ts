/**
 * The demo (`deno task demo`), the main job: a host and two cards on an emulated SCIF network
 * say hello, then the chart of the seed document is measured on this machine — bandwidth
 * against transfer size for SCIF RMA (writeTo, readFrom), the SCIF send/recv stream, TCP
 * loopback and the memcpy ceiling, all between the same two threads in one run, and RMA and
 * the stream between two processes (a host program and a card program on the machine's
 * network) — followed by the latency tables, between threads and between processes, and how
 * the round trip holds up with 8 nodes and 256 endpoints.
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
import { createNetwork, type NodeStats, type ScifNode } from "../mod.ts";
import { Lab, type LatencyMethod } from "../lab/mod.ts";
import { sizeLabel, terminalChart } from "./_chart.ts";
import {
  BANDWIDTH_LINES,
  chartOf,
  type Figures,
  goalsOf,
  LATENCY_PATHS,
  measureBandwidth,
  measureCrowd,
  measureLatency,
  PROCESS_LATENCY_PATHS,
  PROCESS_LINES,
  type ProcessFigures,
  processGoalsOf,
  seriesOf,
  sweepSizes,
} from "./_measure.ts";
import { recvMessage, sendMessage } from "./_messages.ts";
import { statsTable, table } from "./_table.ts";

const args = parseArgs(Deno.args, {
  boolean: ["quick"],
  string: ["out", "json"],
  default: { out: "chart.svg" },
  unknown: (arg: string) => {
    console.error(
      `demo: unknown argument ${arg}\nusage: deno task demo [--quick] [--out FILE.svg] [--json FILE]`,
    );
    Deno.exit(64);
  },
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
/** What each part did (ScifNode.stats of its nodes), for the table at the end. */
const did: [string, string, NodeStats][] = [];
/** The two sides' statistics of a lab's run, for that table. */
async function labDid(run: string, of: Lab): Promise<void> {
  const [a, b] = await of.stats();
  did.push([run, `a (node ${a.node})`, a], [run, `b (node ${b.node})`, b]);
}
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
  did.push(["hello", "host (main thread)", host.stats()]);
  await host.close();
  cards.forEach((w) => w.terminate());
  await net.close();
}

// ---- 2. Latency: an 8-byte round trip, every way, between the same two Workers ----
// Measured first, on a lab of its own: fresh threads, before the bandwidth runs have filled
// their heaps.

const sizes = sweepSizes(quick);
// The bandwidth lab is opened now, so that its DMA engines (Workers started by Workers, which
// take a while in Deno) are up by the time the chart is measured; it sits idle meanwhile.
const lab = await Lab.open({ bytes: sizes.at(-1)! });
const latencyLab = await Lab.open({ bytes: 1 << 20 });
const latency = await measureLatency(latencyLab, {
  quick,
  methods: LATENCY_PATHS.map((p) => p.method),
  progress,
});
done();

// ---- 3. Scale: 8 nodes and 256 endpoints, and what an idle connection costs ----

const crowd = await measureCrowd(latencyLab, { quick, progress });
done();
await labDid("latency, 8 nodes", latencyLab);
await latencyLab.close();

// ---- 4. The chart: bandwidth against transfer size ----

const minMs = quick ? 25 : 120;
console.log(
  `Bandwidth between two Workers, ${sizeLabel(sizes[0])} to ${sizeLabel(sizes.at(-1)!)} transfers:`,
);
const gbps = await measureBandwidth(lab, {
  sizes,
  methods: BANDWIDTH_LINES.map((l) => l.method),
  minMs,
  progress,
});
done();
await labDid("bandwidth, Workers", lab);
await lab.close();

// ---- 5. Between two processes: a host program and a card program on the machine's network ----

console.log(`Between two processes (a second program as the card, one memory file both map):`);
const procLab = await Lab.openProcesses({ bytes: sizes.at(-1)! });
const procLatency = await measureLatency(procLab, {
  quick,
  methods: PROCESS_LATENCY_PATHS.map((p) => p.method),
  paths: PROCESS_LATENCY_PATHS,
  progress,
});
const procGbps = await measureBandwidth(procLab, {
  sizes,
  methods: PROCESS_LINES.map((l) => l.method),
  lines: PROCESS_LINES,
  minMs,
  progress,
});
progress("measuring the references between the processes: memcpy and the Unix socket", true);
const processes: ProcessFigures = {
  bandwidthGBps: procGbps,
  references: {
    memcpy64k: await procLab.bandwidth("memcpy", 65536, minMs),
    unix64k: await procLab.bandwidth("unix", 65536, minMs),
    memcpy1m: await procLab.bandwidth("memcpy", 1 << 20, minMs),
  },
  roundTripUs: procLatency.us,
  roundTripRuns: procLatency.runs,
};
done();
await labDid("two processes", procLab);
await procLab.close();

const figures: Figures = {
  machine: `${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, ${
    new Date().toISOString().slice(0, 10)
  }`,
  quick,
  minMs,
  sizes,
  bandwidthGBps: gbps,
  roundTripUs: latency.us,
  roundTripRuns: latency.runs,
  crowded: { nodes: 8, endpoints: 256, ...crowd },
  processes,
  goals: [...goalsOf(sizes, gbps, latency.us, crowd), ...processGoalsOf(sizes, processes)],
};

const g = (v: number) => v.toFixed(2);
const lines = BANDWIDTH_LINES.filter((l) => gbps[l.method]);
console.log(table([
  [
    "size",
    ...lines.map((l) => l.name.replace("SCIF ", "")),
    "RMA/memcpy",
    "RMA/TCP",
    ...PROCESS_LINES.map((l) => l.name.replace("SCIF ", "").replace(", two processes", " (procs)")),
  ],
  ...sizes.map((s, i) => {
    const rma = Math.min(gbps.writeTo![i], gbps.readFrom![i]);
    return [
      sizeLabel(s),
      ...lines.map((l) => g(gbps[l.method]![i])),
      g(rma / gbps.memcpy![i]),
      `${(rma / gbps.tcp![i]).toFixed(1)}x`,
      ...PROCESS_LINES.map((l) => g(procGbps[l.method]![i])),
    ];
  }),
]));
console.log(
  `(GB/s; each transfer size walks through ${sizeLabel(sizes.at(-1)!)} windows, as streaming data does)\n`,
);
console.log(terminalChart(sizes, seriesOf(figures)));

const us = latency.us as Record<LatencyMethod, number>;
console.log(
  `\n8-byte round trip between the same two Workers (median of ${latency.rounds} interleaved rounds):\n`,
);
console.log(table([
  ["path", "round trip", "vs raw"],
  ...LATENCY_PATHS.map((
    p,
  ) => [p.name, `${us[p.method].toFixed(3)} us`, `${(us[p.method] / us.raw).toFixed(2)}x`]),
]));
const pus = procLatency.us as Record<LatencyMethod, number>;
console.log(
  `\n8-byte round trip between two processes (median of ${procLatency.rounds} interleaved rounds):\n`,
);
console.log(table([
  ["path", "round trip", "vs raw"],
  ...PROCESS_LATENCY_PATHS.map((
    p,
  ) => [p.name, `${pus[p.method].toFixed(3)} us`, `${(pus[p.method] / pus.raw).toFixed(2)}x`]),
]));
console.log(
  `\nWith 8 nodes online and 256 endpoints connected (128 idle connections), the send/recv round trip is ${
    crowd.roundTripUs.toFixed(3)
  } us, ${(crowd.roundTripUs / us.sendrecv).toFixed(2)}x the single pair. An idle connection holds ${
    sizeLabel(crowd.bytesPerIdleConnection)
  } of shared memory (two endpoint queue pairs: a 256 KiB receive ring and its cells each).\n`,
);

// ---- 6. The goals, and the files ----

console.log(table([
  ["goal", "figure", "target", ""],
  ...figures.goals.map((x) => [x.name, x.value.toFixed(2), x.target, x.met ? "met" : "NOT met"]),
]));

// ---- 7. What it did: the nodes' statistics (ScifNode.stats, as `scif stats` shows them) ----

console.log(
  `\nWhat the demo did (node.stats() of each node; bytes sent/received by send/recv, RMA by kind):\n`,
);
console.log(statsTable(did));
await Deno.writeTextFile(args.out, chartOf(figures, "two Workers (and two processes, dashed)"));
console.log(
  `\nchart written to ${args.out}${args.json ? `, figures to ${args.json}` : ""} (${
    ((performance.now() - t0) / 1000).toFixed(0)
  } s)`,
);
if (args.json) {
  const text = JSON.stringify(
    { ...figures, goals: Object.fromEntries(figures.goals.map(({ name, ...g }) => [name, g])) },
    null,
    2,
  );
  if (args.json === "-") console.log(text);
  else await Deno.writeTextFile(args.json, text);
}
