/// <reference lib="deno.worker" />
// A Worker of the round-trip page (web/test/latency.ts; built to rtt_worker.js): 8-byte round
// trips on one shared cache line with another such Worker, "raw" (a store, then a spin on the
// answer) and "awaited" (the same, with an `await` of a settled promise after each store and
// after each answer seen, as a caller of any promise-returning send and recv has: the floor of
// such an API's round trip in this browser). "a" times the rounds and answers µs per round
// trip; "b" answers 0.
//
// Messages: { line: SharedArrayBuffer, role: "a" | "b", method: "raw" | "awaited", iters } ->
// a number.
const settled = Promise.resolve(0);

self.onmessage = async (
  e: MessageEvent<{ line: SharedArrayBuffer; role: string; method: string; iters: number }>,
) => {
  const { role, method, iters } = e.data;
  const cell = new Int32Array(e.data.line);
  const ping = role === "a";
  const awaited = method === "awaited";
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) {
    if (ping) {
      Atomics.store(cell, 0, 2 * i + 1);
      if (awaited) await settled;
      while (Atomics.load(cell, 0) !== 2 * i + 2);
      if (awaited) await settled;
    } else {
      while (Atomics.load(cell, 0) !== 2 * i + 1);
      if (awaited) await settled;
      Atomics.store(cell, 0, 2 * i + 2);
      if (awaited) await settled;
    }
  }
  self.postMessage(ping ? ((performance.now() - t0) * 1000) / iters : 0);
};
