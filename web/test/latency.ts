/// <reference lib="dom" />
// The 8-byte round trip in a browser (built to latency.js by tools/build_web.ts --tests, run by
// tools/browser.ts latency): raw Atomics ping-pong on one cache line, an mmap'd window and
// SCIF send/recv between the two Web Workers of a lab (lab/mod.ts), and, between two Workers
// of its own (rtt_worker.ts), the raw ping-pong again and the "awaited" one: an `await` after
// each store and each answer, the floor of any API whose send and recv return promises (two
// of those awaits are on a round trip's critical path, and their cost is the browser's). All
// are warmed up, then measured in interleaved rounds; the figures are the medians. Last, the
// round trip to a peer asleep in recv ("wakeup": what a sleep costs). Left on
// globalThis.scifLatency. Query: ?rounds=N (default 7), ?iters=N round trips per round
// (default 100000).
import { Lab, type LatencyMethod, median } from "../../lab/mod.ts";

const params = new URLSearchParams(location.search);
const rounds = Number(params.get("rounds") ?? 7);
const iters = Number(params.get("iters") ?? 100_000);
const labMethods: LatencyMethod[] = ["raw", "mmap", "sendrecv"];
const g = globalThis as unknown as { scifLatency?: unknown; scifLatencyError?: string };
const out = document.getElementById("out")!;

/** Two Workers of rtt_worker.js and one cache line: µs per round trip of `method`. */
function pair(): (method: "raw" | "awaited") => Promise<number> {
  const url = new URL("./rtt_worker.js", import.meta.url);
  const [a, b] = [new Worker(url, { type: "module" }), new Worker(url, { type: "module" })];
  return async (method) => {
    const line = new SharedArrayBuffer(128);
    const answer = (w: Worker) => new Promise<number>((r) => (w.onmessage = (e) => r(e.data)));
    const [us] = await Promise.all([answer(a), answer(b)].map((p, i) => {
      (i === 0 ? a : b).postMessage({ line, role: i === 0 ? "a" : "b", method, iters });
      return p;
    }));
    return us;
  };
}

async function main(): Promise<void> {
  const lab = await Lab.open({
    bytes: 1 << 20,
    worker: new URL("/web/dist/lab_worker.js", location.href),
    tcp: false,
  });
  const own = pair();
  try {
    for (const m of labMethods) await lab.warmUp(m, iters);
    for (const m of ["raw", "awaited"] as const) await own(m);
    const runs: Record<string, number[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const m of labMethods) (runs[m] ??= []).push(await lab.latency(m, iters));
      (runs.ownRaw ??= []).push(await own("raw"));
      (runs.awaited ??= []).push(await own("awaited"));
      out.textContent = `round ${r + 1}/${rounds}`;
    }
    // The round trip to a peer asleep in recv (past its spin): the wake-up path's cost.
    runs.wakeup = [await lab.latency("wakeup", 40)];
    const us = Object.fromEntries(Object.entries(runs).map(([m, v]) => [m, median(v)]));
    g.scifLatency = { us, runs, userAgent: navigator.userAgent };
    out.textContent = JSON.stringify(g.scifLatency, null, 1);
  } finally {
    await lab.close();
  }
}

main().catch((e) => {
  g.scifLatencyError = String(e?.stack ?? e);
  out.textContent = g.scifLatencyError;
});
