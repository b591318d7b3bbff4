// Measurements shared by the benchmarks and the demo. Every figure of ours is taken between
// two Workers, as is the raw limit it is compared with, in the same run.
import { createNetwork } from "../mod.ts";
import type { Job, RmaFigures } from "./_worker.ts";

export type { RmaFigures };

function worker(): Worker {
  return new Worker(new URL("./_worker.ts", import.meta.url), { type: "module" });
}

/** Runs `job` on `w`; resolves to its result (after an optional { ready } message). */
function start<T>(w: Worker, job: Job, onReady?: (data: { port?: number }) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    w.onmessage = (e) => {
      if (e.data.ready) onReady?.(e.data);
      else resolve(e.data.result);
    };
    w.onerror = (e) => reject(e);
    w.postMessage(job);
  });
}

/** Runs the jobs of a two-worker measurement: `first` must say ready before `second` starts. */
async function pair<A, B>(
  first: Job,
  second: Job | ((a: Worker) => Job),
  readyFirst: boolean,
): Promise<[A, B]> {
  const [wa, wb] = [worker(), worker()];
  try {
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    const a = start<A>(wa, first, ready);
    if (readyFirst) await isReady;
    const b = start<B>(wb, typeof second === "function" ? second(wa) : second);
    return await Promise.all([a, b]);
  } finally {
    wa.terminate();
    wb.terminate();
  }
}

/** Round trip of a raw Atomics ping-pong on one cache line between two Workers, in µs. */
export async function rawRoundTripUs(iters: number): Promise<number> {
  const sab = new SharedArrayBuffer(256);
  const [, ms] = await pair<number, number>({ kind: "raw-pong", sab, iters }, {
    kind: "raw-ping",
    sab,
    iters,
  }, false);
  return ms * 1000;
}

/** Round trip of a `size`-byte message (blocking send + blocking recv) between SCIF nodes in
 * two Workers, in µs. */
export async function scifRoundTripUs(iters: number, size = 8): Promise<number> {
  const net = await createNetwork({ nodes: 2 });
  const [, ms] = await pair<number, number>(
    { kind: "echo", handle: net.handle(1), port: 2000, iters, size },
    { kind: "ping", handle: net.handle(0), node: 1, port: 2000, iters, size },
    true,
  );
  return ms * 1000;
}

/** memcpy ceiling: `TypedArray.prototype.set` of `bytes` in `chunk` pieces, `passes` times,
 * in one Worker; GB/s. */
export async function memcpyGBps(bytes: number, chunk: number, passes: number): Promise<number> {
  const w = worker();
  try {
    const ms = await start<number>(w, { kind: "memcpy", bytes, chunk, passes });
    return (bytes * passes) / (ms * 1e6);
  } finally {
    w.terminate();
  }
}

/** Stream bandwidth: `bytes` sent in `chunk`-byte blocking sends, `passes` times, from a node in
 * one Worker to a node in another that receives in `chunk`-byte blocking recvs; GB/s. */
export async function streamGBps(
  bytes: number,
  chunk: number,
  passes: number,
  ringBytes?: number,
): Promise<number> {
  const net = await createNetwork({ nodes: 2, ringBytes });
  const [sink, source] = await pair<{ end: number }, { start: number }>(
    { kind: "sink", handle: net.handle(1), port: 2000, bytes, chunk, passes },
    { kind: "source", handle: net.handle(0), node: 1, port: 2000, bytes, chunk, passes },
    true,
  );
  return (bytes * passes) / ((sink.end - source.start) * 1e6);
}

/** RMA bandwidth (SYNC writeTo and readFrom) between nodes in two Workers for each size, with
 * `TypedArray.prototype.set` of the same bytes (the peer's window, mapped) measured by the
 * same thread; GB/s. */
export async function rmaFigures(sizes: number[], minMs: number): Promise<RmaFigures> {
  const max = Math.max(...sizes);
  const net = await createNetwork({ nodes: 2, memoryBytes: Math.max(256 << 20, 2 * max + (64 << 20)) });
  const [, figures] = await pair<number, RmaFigures>(
    { kind: "window", handle: net.handle(1), port: 2000, bytes: max },
    { kind: "rma", handle: net.handle(0), node: 1, port: 2000, sizes, minMs },
    true,
  );
  return figures;
}

/** TCP loopback (Deno.connect on 127.0.0.1) moving each size between two Workers, each transfer
 * answered by one byte; GB/s. */
export async function tcpFigures(sizes: number[], minMs: number): Promise<number[]> {
  const [ws, wc] = [worker(), worker()];
  try {
    let port!: (p: number) => void;
    const listening = new Promise<number>((r) => (port = r));
    const sink = start<number>(ws, { kind: "tcp-sink", sizes, minMs }, (d) => port(d.port!));
    const source = start<number[]>(wc, { kind: "tcp-source", port: await listening, sizes, minMs });
    const [, figures] = await Promise.all([sink, source]);
    return figures;
  } finally {
    ws.terminate();
    wc.terminate();
  }
}

/** Round trip of an 8-byte store through mapped windows between SCIF nodes in two Workers, µs:
 * through one window both sides use, or through two, each side spinning on its own. */
export async function mappedRoundTripUs(iters: number, windows: 1 | 2 = 1): Promise<number> {
  const net = await createNetwork({ nodes: 2 });
  const [, us] = await pair<number, number>(
    { kind: "mapped-pong", handle: net.handle(1), port: 2000, iters, windows },
    { kind: "mapped-ping", handle: net.handle(0), node: 1, port: 2000, iters, windows },
    true,
  );
  return us * 1000;
}

/** The median of `runs` alternating measurements of `a` and `b` (alternating spreads the
 * machine's moods over both). */
export async function alternate(
  runs: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<[number, number]> {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < runs; i++) {
    xs.push(await a());
    ys.push(await b());
  }
  return [median(xs), median(ys)];
}

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
