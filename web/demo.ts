/// <reference lib="dom" />
/**
 * The web page's script (web/index.html, built to web/dist/demo.js): a host node in the page and
 * card nodes in Web Workers on an emulated SCIF network; the node table; a connect, ping-pong
 * and RMA exchange with each card; then the bandwidth chart and latency table of
 * `deno task demo`, measured between two Web Workers.
 *
 * Query: `?cards=N` (1..7, default 2), `?full` for the full sweep (1 KiB..128 MiB by twos;
 * the default is the quick one, to 64 MiB by fours), `?brief` for three sizes and one short
 * round of each measurement (the end-to-end tests: every path runs). The page's state is also on
 * `globalThis.scifDemo`, for the end-to-end test.
 *
 * @module
 */
import { createNetwork, type ScifNode } from "../mod.ts";
import { Lab } from "../lab/mod.ts";
import { sizeLabel } from "../demo/_chart.ts";
import {
  BANDWIDTH_LINES,
  chartOf,
  type Figures,
  goalsOf,
  LATENCY_PATHS,
  measureBandwidth,
  measureCrowd,
  measureLatency,
  sweepSizes,
} from "../demo/_measure.ts";
import { hello, ping, rma } from "./_protocol.ts";
import { liveNodeTable } from "./_node_table.ts";

/** What the page did, for people (rendered) and for the end-to-end test (globalThis.scifDemo). */
interface DemoState {
  status: "running" | "done" | "failed" | "not isolated";
  error?: string;
  nodes?: { id: number; role: string; runsIn: string }[];
  greetings?: string[];
  pingUs?: number[];
  rmaOk?: boolean[];
  figures?: Figures;
  seconds?: number;
}

const state: DemoState = { status: "running" };
(globalThis as unknown as { scifDemo: DemoState }).scifDemo = state;
const params = new URLSearchParams(location.search);
const cards = Math.min(Math.max(Number(params.get("cards") ?? 2) | 0, 1), 7);
const quick = !params.has("full");
const brief = params.has("brief");
const t0 = performance.now();

const $ = (id: string) => document.getElementById(id)!;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function tableHtml(head: string[], rows: string[][]): string {
  const tr = (cells: string[], tag: string) =>
    `<tr>${cells.map((c) => `<${tag}>${esc(c)}</${tag}>`).join("")}</tr>`;
  return `<table><thead>${tr(head, "th")}</thead><tbody>${
    rows.map((r) => tr(r, "td")).join("")
  }</tbody></table>`;
}

function progress(text: string): void {
  $("progress").textContent = `${text} (${((performance.now() - t0) / 1000).toFixed(0)} s)`;
}

function log(text: string): void {
  const li = document.createElement("li");
  li.textContent = text;
  $("log").append(li);
}

/** Starts a card Worker and attaches node `id` in it. */
async function startCard(handle: unknown): Promise<Worker> {
  const w = new Worker(new URL("./card_worker.js", import.meta.url), { type: "module" });
  const ready = new Promise<void>((resolve, reject) => {
    w.onmessage = (e) => e.data.ready ? resolve() : reject(new Error(e.data.error));
    w.onerror = (e) => reject(new Error(e.message));
  });
  w.postMessage({ handle });
  await ready;
  return w;
}

/** Opens a connection to card `id`'s port 2000, runs `fn` on it, closes it. */
async function withCard<T>(host: ScifNode, id: number, fn: (ep: ReturnType<ScifNode["open"]>) => Promise<T>) {
  const ep = host.open();
  try {
    await ep.connect({ node: id, port: 2000 });
    return await fn(ep);
  } finally {
    ep.close();
  }
}

async function nodesAndCards(): Promise<void> {
  progress(`starting the host and ${cards} card${cards > 1 ? "s" : ""}`);
  const net = await createNetwork({ nodes: cards + 1, memoryBytes: 64 << 20 });
  const host = await net.node(0);
  const workers = await Promise.all(Array.from({ length: cards }, (_, i) => startCard(net.handle(i + 1))));
  const { nodes, self } = host.getNodeIds();
  state.nodes = nodes.map((id) => ({
    id,
    role: id === 0 ? "host" : "card",
    runsIn: id === self ? "this page (main thread)" : "a Web Worker",
  }));
  $("nodes").innerHTML = tableHtml(
    ["node", "role", "runs in", "online"],
    state.nodes.map((n) => [String(n.id), n.role, n.runsIn, "yes"]),
  );
  state.greetings = [];
  state.pingUs = [];
  state.rmaOk = [];
  const window = host.allocate(1 << 20);
  for (let id = 1; id <= cards; id++) {
    progress(`talking to card ${id}`);
    const reply = await withCard(host, id, (ep) => hello(ep, `hello card ${id}, this is the host`));
    state.greetings.push(reply);
    log(`host -> card ${id}: ${reply}`);
    // The first pings warm the path up (compilation), the next are timed.
    const us = await withCard(host, id, async (ep) => (await ping(ep, 20_000), await ping(ep, 20_000)));
    state.pingUs.push(us);
    log(
      `ping-pong with card ${id}: 20,000 round trips of 8 bytes after 20,000 to warm up, ${
        us.toFixed(2)
      } µs each`,
    );
    const t = performance.now();
    const ok = await withCard(host, id, (ep) => rma(ep, ep.register(window), window));
    state.rmaOk.push(ok);
    log(
      `RMA with card ${id}: it read a 1 MiB window of the host (vreadFrom), added 1 to every byte and wrote ` +
        `it back (vwriteTo): ${ok ? "every byte checked" : "WRONG BYTES"} (${
          (performance.now() - t).toFixed(1)
        } ms)`,
    );
  }
  host.free(window);
  // The cards stay, idle: the node table takes them down and brings them up (web/_node_table.ts).
  const byId = new Map(workers.map((w, i) => [i + 1, w]));
  liveNodeTable($("nodes"), net, host, byId, (id) => startCard(net.handle(id)));
}

async function measure(): Promise<void> {
  const sizes = sweepSizes(quick, brief);
  const worker = new URL("./lab_worker.js", import.meta.url);
  const lab = await Lab.open({ bytes: sizes.at(-1)!, worker, tcp: false });
  const latencyLab = await Lab.open({ bytes: 1 << 20, worker, tcp: false });
  const latency = await measureLatency(latencyLab, {
    quick,
    brief,
    methods: ["raw", "mmap", "sendrecv", "postMessage"],
    progress,
  });
  const crowd = await measureCrowd(latencyLab, { quick, brief, progress });
  await latencyLab.close();
  const minMs = brief ? 15 : quick ? 60 : 120; // a page shares the cores with the browser: longer points
  const gbps = await measureBandwidth(lab, {
    sizes,
    methods: ["writeTo", "readFrom", "stream", "memcpy"],
    minMs,
    progress,
  });
  await lab.close();
  const figures: Figures = {
    machine: `${navigator.hardwareConcurrency} cores, ${
      navigator.userAgent.match(/(Chrome|Firefox|Safari)\/[\d.]+/)?.[0] ?? "a browser"
    }, ${new Date().toISOString().slice(0, 10)}`,
    quick,
    minMs,
    sizes,
    bandwidthGBps: gbps,
    roundTripUs: latency.us,
    roundTripRuns: latency.runs,
    crowded: { nodes: 8, endpoints: 256, ...crowd },
    goals: goalsOf(sizes, gbps, latency.us, crowd),
  };
  state.figures = figures;
  $("chart").innerHTML = chartOf(figures, "two Web Workers");
  const us = latency.us;
  $("latency").innerHTML = tableHtml(
    ["path", "round trip", "vs raw"],
    LATENCY_PATHS.filter((p) => us[p.method] !== undefined).map((p) => [
      p.name,
      `${us[p.method]!.toFixed(3)} µs`,
      `${(us[p.method]! / us.raw!).toFixed(2)}×`,
    ]).concat([[
      "SCIF send/recv, 8 nodes + 256 endpoints",
      `${crowd.roundTripUs.toFixed(3)} µs`,
      `${(crowd.roundTripUs / us.raw!).toFixed(2)}×`,
    ]]),
  );
  const lines = BANDWIDTH_LINES.filter((l) => gbps[l.method]);
  $("bandwidth").innerHTML = tableHtml(
    ["size", ...lines.map((l) => `${l.name} (GB/s)`)],
    sizes.map((s, i) => [sizeLabel(s), ...lines.map((l) => gbps[l.method]![i].toFixed(2))]),
  );
  $("goals").innerHTML = tableHtml(
    ["goal", "figure", "target", ""],
    figures.goals.map((g) => [g.name, g.value.toFixed(2), g.target, g.met ? "met" : "not met"]),
  );
  $("memory").textContent = `An idle connection holds ${
    sizeLabel(crowd.bytesPerIdleConnection)
  } of shared memory (two 256 KiB endpoint rings and their cells). TCP is not reachable from a page, so the chart has no TCP line here; deno task demo draws it.`;
}

async function main(): Promise<void> {
  if (!globalThis.crossOriginIsolated) {
    state.status = "not isolated";
    $("isolation").hidden = false;
    $("progress").textContent = "not started: this page is not cross-origin isolated";
    return;
  }
  await nodesAndCards();
  await measure();
  state.seconds = (performance.now() - t0) / 1000;
  $("progress").textContent = `done in ${state.seconds.toFixed(0)} s`;
  state.status = "done";
}

main().catch((e) => {
  state.status = "failed";
  state.error = String(e?.stack ?? e);
  $("progress").textContent = `failed: ${e}`;
  console.error(e);
});
