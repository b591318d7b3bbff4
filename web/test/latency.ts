/// <reference lib="dom" />
// The 8-byte round trip in a browser (built to latency.js by tools/build_web.ts --tests, run by
// tools/browser_bench.ts): raw Atomics ping-pong on one cache line, an mmap'd window and SCIF
// send/recv, between the same two Web Workers of a lab (bench/lab.ts), warmed up, then in
// interleaved rounds; the figures are the medians. Left on globalThis.scifLatency.
// Query: ?rounds=N (default 7), ?iters=N round trips per round (default 100000).
import { Lab, median } from "../../bench/lab.ts";
import type { LatencyMethod } from "../../bench/_lab.ts";

const params = new URLSearchParams(location.search);
const rounds = Number(params.get("rounds") ?? 7);
const iters = Number(params.get("iters") ?? 100_000);
const methods: LatencyMethod[] = ["raw", "mmap", "sendrecv"];
const g = globalThis as unknown as { scifLatency?: unknown; scifLatencyError?: string };
const out = document.getElementById("out")!;

async function main(): Promise<void> {
  const lab = await Lab.open({
    bytes: 1 << 20,
    worker: new URL("/web/lab_worker.js", location.href),
    tcp: false,
  });
  try {
    for (const m of methods) await lab.warmUp(m, iters);
    const runs: Record<string, number[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const m of methods) (runs[m] ??= []).push(await lab.latency(m, iters));
      out.textContent = `round ${r + 1}/${rounds}`;
    }
    const us = Object.fromEntries(methods.map((m) => [m, median(runs[m])]));
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
