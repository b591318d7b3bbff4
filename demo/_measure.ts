// What the demo measures and how, shared by the terminal demo (demo/main.ts) and the web page
// (web/demo.ts): the latency rounds, the scale check, the bandwidth sweep and the goals. Each
// figure is taken between the same two Workers of a lab (lab/mod.ts) in one run; the
// terminal demo also measures between two processes (a second lab, Lab.openProcesses).
import { type BandwidthMethod, type Lab, type LatencyMethod, median } from "../lab/mod.ts";
import { type Series, sizeLabel, svgChart } from "./_chart.ts";

/** Reports what is being measured; `phase` marks the start of a phase. */
export type Progress = (text: string, phase?: boolean) => void;

/** The round-trip paths, in the order of the table. */
export const LATENCY_PATHS: { method: LatencyMethod; name: string; slow: boolean }[] = [
  { method: "raw", name: "raw Atomics ping-pong (one cache line)", slow: false },
  { method: "mmap", name: "SCIF mmap'd window", slow: false },
  { method: "sendrecv", name: "SCIF send/recv", slow: false },
  { method: "tcp", name: "TCP loopback", slow: true },
  { method: "postMessage", name: "postMessage", slow: true },
];

/** The round-trip paths between two processes, in the order of the table. */
export const PROCESS_LATENCY_PATHS: { method: LatencyMethod; name: string; slow: boolean }[] = [
  { method: "raw", name: "raw ping-pong through a page both map", slow: false },
  { method: "mmap", name: "SCIF mmap'd window", slow: false },
  { method: "sendrecv", name: "SCIF send/recv", slow: false },
  { method: "unix", name: "Unix socket", slow: true },
];

/** The lines of the chart measured between two processes. */
export const PROCESS_LINES: (Omit<Series, "values"> & { method: BandwidthMethod })[] = [
  { method: "writeTo", name: "SCIF RMA writeTo, two processes", mark: "w", color: "#54aeff", dashed: true },
  { method: "stream", name: "SCIF stream, two processes", mark: "s", color: "#4ac26b", dashed: true },
];

/** The lines of the chart. */
export const BANDWIDTH_LINES: (Omit<Series, "values"> & { method: BandwidthMethod })[] = [
  { method: "writeTo", name: "SCIF RMA writeTo", mark: "W", color: "#0969da" },
  { method: "readFrom", name: "SCIF RMA readFrom", mark: "R", color: "#8250df" },
  { method: "stream", name: "SCIF send/recv stream", mark: "S", color: "#1a7f37" },
  { method: "tcp", name: "TCP loopback", mark: "T", color: "#cf222e" },
  { method: "memcpy", name: "memcpy, one thread (set)", mark: "M", color: "#6e7781", dashed: true },
];

/** Transfer sizes of the chart: 1 KiB to 128 MiB by twos, or to 64 MiB by fours (quick), or
 * three sizes (brief: a check that every path runs, for the end-to-end tests). */
export function sweepSizes(quick: boolean, brief = false): number[] {
  if (brief) return [1024, 65536, 4 << 20];
  const sizes: number[] = [];
  for (let s = 1024; s <= (quick ? 64 << 20 : 128 << 20); s *= quick ? 4 : 2) sizes.push(s);
  return sizes;
}

/** Round trips of one run: medians and every round. */
export interface Latency {
  rounds: number;
  us: Partial<Record<LatencyMethod, number>>;
  runs: Partial<Record<LatencyMethod, number[]>>;
}

/**
 * 8-byte round trips along `methods`: each path first runs, not counted, for a while (its first
 * runs share the cores with the compiler threads that optimize it), then all are measured in
 * interleaved rounds; the figure is the median.
 */
export async function measureLatency(
  lab: Lab,
  options: {
    quick: boolean;
    /** One short round per path (a check that every path runs, not a measurement to judge). */
    brief?: boolean;
    methods: LatencyMethod[];
    progress: Progress;
    paths?: { method: LatencyMethod; name: string; slow: boolean }[];
  },
): Promise<Latency> {
  const { quick, progress } = options;
  const paths = (options.paths ?? LATENCY_PATHS).filter((p) => options.methods.includes(p.method));
  const iters = (slow: boolean) =>
    options.brief ? (slow ? 200 : 10_000) : slow ? (quick ? 2_000 : 10_000) : (quick ? 100_000 : 400_000);
  const rounds = options.brief ? 1 : quick ? 3 : 7;
  const runs: Latency["runs"] = {};
  for (const p of paths) {
    progress(`warming up: ${p.name}`, p === paths[0]);
    await lab.warmUp(p.method, iters(p.slow));
  }
  for (let r = 0; r < rounds; r++) {
    for (const p of paths) {
      progress(`measuring round trips: ${p.name}, round ${r + 1}/${rounds}`, r === 0 && p === paths[0]);
      (runs[p.method] ??= []).push(await lab.latency(p.method, iters(p.slow)));
    }
  }
  const us = Object.fromEntries(paths.map((p) => [p.method, median(runs[p.method]!)]));
  return { rounds, us, runs };
}

/** The send/recv round trip with 8 nodes online and 256 endpoints connected, and the shared
 * memory one idle connection holds. */
export async function measureCrowd(
  lab: Lab,
  options: { quick: boolean; brief?: boolean; progress: Progress },
): Promise<{ roundTripUs: number; bytesPerIdleConnection: number }> {
  options.progress("crowding the network: 8 nodes, 256 endpoints", true);
  const bytesPerIdleConnection = await lab.crowd(128);
  const runs: number[] = [];
  for (let r = 0; r < (options.brief ? 1 : options.quick ? 3 : 7); r++) {
    runs.push(await lab.latency("sendrecv", options.brief ? 10_000 : options.quick ? 100_000 : 400_000));
  }
  return { roundTripUs: median(runs), bytesPerIdleConnection };
}

/** GB/s of each of `methods` at each of `sizes`: a warm-up pass, not counted, then each point
 * repeats its transfer for at least `minMs`. */
export async function measureBandwidth(
  lab: Lab,
  options: {
    sizes: number[];
    methods: BandwidthMethod[];
    minMs: number;
    progress: Progress;
    lines?: { method: BandwidthMethod; name: string }[];
  },
): Promise<Partial<Record<BandwidthMethod, number[]>>> {
  const { sizes, minMs, progress } = options;
  const lines = (options.lines ?? BANDWIDTH_LINES).filter((l) => options.methods.includes(l.method));
  const gbps: Partial<Record<BandwidthMethod, number[]>> = {};
  for (const l of lines) {
    progress(`warming up: ${l.name}`, l === lines[0]);
    for (const size of [1024, 65536, 1 << 20]) await lab.bandwidth(l.method, size, minMs / 2);
  }
  let step = 0;
  const steps = sizes.length * lines.length;
  for (const size of sizes) {
    for (const l of lines) {
      progress(`measuring ${l.name}, ${sizeLabel(size)} transfers [${++step}/${steps}]`, step === 1);
      (gbps[l.method] ??= []).push(await lab.bandwidth(l.method, size, minMs));
    }
  }
  return gbps;
}

/** One goal of the main job: its figure, the target as written, and whether it holds. */
export interface Goal {
  name: string;
  value: number;
  target: string;
  met: boolean;
}

/** The goals that the figures measured can judge (TCP's need TCP, the crowd's need the crowd). */
export function goalsOf(
  sizes: number[],
  gbps: Partial<Record<BandwidthMethod, number[]>>,
  us: Latency["us"],
  crowd?: { roundTripUs: number },
): Goal[] {
  const goals: Goal[] = [];
  const add = (name: string, value: number, target: string, met: boolean) => {
    if (Number.isFinite(value)) goals.push({ name, value, target, met });
  };
  const at = (s: number) => sizes.indexOf(s);
  const big = sizes.filter((s) => s >= 1 << 20).map(at);
  const rma = (i: number) => Math.min(gbps.writeTo?.[i] ?? NaN, gbps.readFrom?.[i] ?? NaN);
  const worst = (over: (i: number) => number) => big.length ? Math.min(...big.map(over)) : NaN;
  const vsCopy = worst((i) => rma(i) / (gbps.memcpy?.[i] ?? NaN));
  const vsTcp = worst((i) => rma(i) / (gbps.tcp?.[i] ?? NaN));
  const stream64k = at(65536) >= 0
    ? (gbps.stream?.[at(65536)] ?? NaN) / (gbps.memcpy?.[at(65536)] ?? NaN)
    : NaN;
  add("RMA from 1 MiB up, worst of writeTo/readFrom vs memcpy", vsCopy, ">= 0.85", vsCopy >= 0.85);
  add("RMA from 1 MiB up vs TCP loopback", vsTcp, ">= 2x", vsTcp >= 2);
  add("send/recv stream at 64 KiB vs memcpy", stream64k, ">= 0.6", stream64k >= 0.6);
  const ratio = (a?: number, b?: number) => (a ?? NaN) / (b ?? NaN);
  const mmap = ratio(us.mmap, us.raw);
  const sendrecv = ratio(us.sendrecv, us.raw);
  const tcp = ratio(us.tcp, us.sendrecv);
  const pm = ratio(us.postMessage, us.sendrecv);
  add("8-byte round trip, mmap vs raw", mmap, "<= 1.2x", mmap <= 1.2);
  add("8-byte round trip, send/recv vs raw", sendrecv, "<= 2x", sendrecv <= 2);
  add("TCP loopback round trip vs send/recv", tcp, ">= 25x", tcp >= 25);
  add("postMessage round trip vs send/recv", pm, ">= 25x", pm >= 25);
  if (crowd) {
    const c = ratio(crowd.roundTripUs, us.sendrecv);
    add("send/recv round trip, 8 nodes + 256 endpoints vs one pair", c, "<= 1.5x", c <= 1.5);
  }
  return goals;
}

/** What was measured between two processes. */
export interface ProcessFigures {
  bandwidthGBps: Partial<Record<BandwidthMethod, number[]>>;
  /** memcpy and the Unix socket at 64 KiB and 1 MiB, for the goals. */
  references: { memcpy64k: number; unix64k: number; memcpy1m: number };
  roundTripUs: Latency["us"];
  roundTripRuns: Latency["runs"];
}

/** The goals between two processes. */
export function processGoalsOf(sizes: number[], p: ProcessFigures): Goal[] {
  const goals: Goal[] = [];
  const add = (name: string, value: number, target: string, met: boolean) => {
    if (Number.isFinite(value)) goals.push({ name, value, target, met });
  };
  const at = (s: number) => sizes.indexOf(s);
  const us = p.roundTripUs;
  const sr = (us.sendrecv ?? NaN) / (us.raw ?? NaN);
  const mm = (us.mmap ?? NaN) / (us.raw ?? NaN);
  add("processes: 8-byte round trip, send/recv vs raw", sr, "<= 2x", sr <= 2);
  add("processes: 8-byte round trip, mmap vs raw", mm, "<= 1.2x", mm <= 1.2);
  const s64 = at(65536) >= 0 ? p.bandwidthGBps.stream?.[at(65536)] ?? NaN : NaN;
  add(
    "processes: stream at 64 KiB vs memcpy",
    s64 / p.references.memcpy64k,
    ">= 0.8",
    s64 / p.references.memcpy64k >= 0.8,
  );
  add(
    "processes: stream at 64 KiB vs Unix socket",
    s64 / p.references.unix64k,
    ">= 2x",
    s64 / p.references.unix64k >= 2,
  );
  const w1 = at(1 << 20) >= 0 ? p.bandwidthGBps.writeTo?.[at(1 << 20)] ?? NaN : NaN;
  add(
    "processes: SYNC RMA at 1 MiB vs memcpy",
    w1 / p.references.memcpy1m,
    ">= 0.85",
    w1 / p.references.memcpy1m >= 0.85,
  );
  return goals;
}

/** Every figure of a run (the demo's --json). */
export interface Figures {
  machine: string;
  quick: boolean;
  minMs: number;
  sizes: number[];
  bandwidthGBps: Partial<Record<BandwidthMethod, number[]>>;
  roundTripUs: Latency["us"];
  roundTripRuns: Latency["runs"];
  crowded?: { nodes: number; endpoints: number; roundTripUs: number; bytesPerIdleConnection: number };
  /** The same between two processes (the terminal demo). */
  processes?: ProcessFigures;
  goals: Goal[];
}

/** The chart's lines for the methods that were measured. */
export function seriesOf(f: Figures): Series[] {
  const threads = BANDWIDTH_LINES.filter((l) => f.bandwidthGBps[l.method]).map((l) => ({
    ...l,
    values: f.bandwidthGBps[l.method]!,
  }));
  const p = f.processes?.bandwidthGBps;
  const procs = p
    ? PROCESS_LINES.filter((l) => p[l.method]).map((l) => ({ ...l, values: p[l.method]! }))
    : [];
  return [...threads, ...procs];
}

/** The SVG chart of a run, with the round trips and what the figures mean as notes. */
export function chartOf(f: Figures, between: string): string {
  const us = f.roundTripUs;
  const paths = LATENCY_PATHS.filter((p) => us[p.method] !== undefined);
  const fmt = (v: number) => v < 10 ? v.toFixed(3) : v.toFixed(1);
  const notes = [
    `8-byte round trip: ${paths.map((p) => `${p.method} ${fmt(us[p.method]!)} us`).join(", ")}.`,
  ];
  const pu = f.processes?.roundTripUs;
  if (pu) {
    notes.push(
      `Between two processes (one memory file both map): ${
        PROCESS_LATENCY_PATHS.filter((p) => pu[p.method] !== undefined).map((p) =>
          `${p.method} ${fmt(pu[p.method]!)} us`
        )
          .join(", ")
      }.`,
    );
  }
  const vsCopy = f.goals.find((g) => g.name.startsWith("RMA from 1 MiB up, worst"));
  const vsTcp = f.goals.find((g) => g.name === "RMA from 1 MiB up vs TCP loopback");
  if (vsCopy) {
    notes.push(
      `From 1 MiB up RMA runs at >= ${vsCopy.value.toFixed(2)} of memcpy${
        vsTcp ? ` and >= ${vsTcp.value.toFixed(1)}x TCP loopback` : ""
      }${
        f.crowded
          ? `; an idle connection holds ${sizeLabel(f.crowded.bytesPerIdleConnection)} of shared memory`
          : ""
      }.`,
    );
  }
  notes.push(
    "RMA copies with WebAssembly memory.copy; a SYNC transfer of 256 KiB or more is split between",
    "the caller and the node's DMA engine Worker, so on two cores it can pass one thread's memcpy.",
    `Each point repeats its transfer for at least ${f.minMs} ms, walking through ${
      sizeLabel(f.sizes.at(-1)!)
    } windows as streaming data does.`,
  );
  return svgChart({
    title: "SCIF for Deno: bandwidth against transfer size",
    subtitle: `Emulated SCIF network, ${between} on ${f.machine}${f.quick ? " (quick run)" : ""}`,
    sizes: f.sizes,
    series: seriesOf(f),
    notes,
  });
}
