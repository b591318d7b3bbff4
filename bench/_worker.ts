/// <reference lib="deno.worker" />
// One thread of a measurement (bench/_measure.ts): a raw shared-memory ping-pong partner, a
// memcpy loop, or a SCIF node running one job. Times are absolute (timeOrigin + now), so
// that two threads' figures can be compared.
import { attachNode, type NetworkHandle, type ScifNode } from "../mod.ts";

/** What a worker is asked to do. */
export type Job =
  | { kind: "raw-ping"; sab: SharedArrayBuffer; iters: number }
  | { kind: "raw-pong"; sab: SharedArrayBuffer; iters: number }
  | { kind: "memcpy"; bytes: number; chunk: number; passes: number }
  | { kind: "echo"; handle: NetworkHandle; port: number; iters: number; size: number }
  | { kind: "ping"; handle: NetworkHandle; node: number; port: number; iters: number; size: number }
  | { kind: "sink"; handle: NetworkHandle; port: number; bytes: number; chunk: number; passes: number }
  | {
    kind: "source";
    handle: NetworkHandle;
    node: number;
    port: number;
    bytes: number;
    chunk: number;
    passes: number;
  };

const now = () => performance.timeOrigin + performance.now();

function rawPing(line: Int32Array, iters: number): number {
  const warm = iters >> 2; // as the SCIF ping: a quarter warms up
  let t0 = 0;
  for (let i = 0; i < iters; i++) {
    if (i === warm) t0 = now();
    Atomics.store(line, 0, 2 * i + 1);
    while (Atomics.load(line, 0) !== 2 * i + 2);
  }
  return (now() - t0) / (iters - warm);
}

function rawPong(line: Int32Array, iters: number): number {
  for (let i = 0; i < iters; i++) {
    while (Atomics.load(line, 0) !== 2 * i + 1);
    Atomics.store(line, 0, 2 * i + 2);
  }
  return 0;
}

function memcpy(bytes: number, chunk: number, passes: number): number {
  const src = new Uint8Array(bytes).fill(1);
  const dst = new Uint8Array(bytes).fill(2);
  dst.set(src); // warm: the pages are mapped and the code is optimised before the clock starts
  const t0 = now();
  for (let p = 0; p < passes; p++) {
    for (let off = 0; off < bytes; off += chunk) dst.set(src.subarray(off, off + chunk), off);
  }
  return now() - t0;
}

async function listenOne(node: ScifNode, port: number) {
  const l = node.open();
  l.bind(port);
  l.listen(1);
  self.postMessage({ ready: true });
  const { endpoint } = await l.accept();
  l.close();
  return endpoint;
}

async function run(job: Job): Promise<number | { start: number; end: number }> {
  switch (job.kind) {
    case "raw-ping":
      return rawPing(new Int32Array(job.sab), job.iters);
    case "raw-pong":
      return rawPong(new Int32Array(job.sab), job.iters);
    case "memcpy":
      return memcpy(job.bytes, job.chunk, job.passes);
  }
  const node = await attachNode(job.handle);
  try {
    switch (job.kind) {
      case "echo": {
        const ep = await listenOne(node, job.port);
        const buf = new Uint8Array(job.size);
        for (let i = 0; i < job.iters; i++) {
          await ep.recv(buf);
          await ep.send(buf);
        }
        return 0;
      }
      case "ping": {
        const ep = node.open();
        await ep.connect({ node: job.node, port: job.port });
        const buf = new Uint8Array(job.size);
        // Warm up until the code is optimised and the ring has gone round: a quarter of the
        // iterations (the echo side counts them too), then the clock runs.
        const warm = job.iters >> 2;
        for (let i = 0; i < warm; i++) {
          await ep.send(buf);
          await ep.recv(buf);
        }
        const t0 = now();
        for (let i = warm; i < job.iters; i++) {
          await ep.send(buf);
          await ep.recv(buf);
        }
        return (now() - t0) / (job.iters - warm);
      }
      case "sink": {
        const ep = await listenOne(node, job.port);
        const dst = new Uint8Array(job.bytes).fill(2);
        await ep.recv(dst.subarray(0, 1)); // the first byte starts the clock on the source
        let off = 1;
        for (let p = 0; p < job.passes; p++) {
          for (; off < job.bytes; off += job.chunk) {
            await ep.recv(dst.subarray(off, Math.min(off + job.chunk, job.bytes)));
          }
          off = 0;
        }
        return { start: 0, end: now() };
      }
      case "source": {
        const ep = node.open();
        await ep.connect({ node: job.node, port: job.port });
        const src = new Uint8Array(job.bytes).fill(1);
        const start = now();
        await ep.send(src.subarray(0, 1));
        let off = 1;
        for (let p = 0; p < job.passes; p++) {
          for (; off < job.bytes; off += job.chunk) {
            await ep.send(src.subarray(off, Math.min(off + job.chunk, job.bytes)));
          }
          off = 0;
        }
        return { start, end: 0 };
      }
    }
  } finally {
    await node.close();
  }
}

self.onmessage = async (e: MessageEvent<Job>) => {
  self.postMessage({ result: await run(e.data) });
};
