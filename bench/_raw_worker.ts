/// <reference lib="deno.worker" />
// A raw shared-memory ping-pong partner: the floor the SCIF round trip is compared with.
// Cell 0 of the line is the ball: the pinger stores odd values, the ponger even ones.
self.onmessage = (e: MessageEvent<{ sab: SharedArrayBuffer; role: "ping" | "pong"; iters: number }>) => {
  const { sab, role, iters } = e.data;
  const line = new Int32Array(sab);
  if (role === "pong") {
    for (let i = 0; i < iters; i++) {
      while (Atomics.load(line, 0) !== 2 * i + 1);
      Atomics.store(line, 0, 2 * i + 2);
    }
    self.postMessage(0);
    return;
  }
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) {
    Atomics.store(line, 0, 2 * i + 1);
    while (Atomics.load(line, 0) !== 2 * i + 2);
  }
  self.postMessage(performance.now() - t0);
};
