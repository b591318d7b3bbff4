/// <reference lib="deno.worker" />
// A SCIF node in a Worker for the benchmarks and the demo: it attaches the node its handle
// names and runs one job on it, then reports.
import { attachNode, type NetworkHandle, type ScifNode } from "../mod.ts";

export type Job =
  | { kind: "echo-server"; port: number; iters: number; size: number }
  | { kind: "ping-client"; node: number; port: number; iters: number; size: number }
  | { kind: "sink-server"; port: number; total: number; chunk: number }
  | { kind: "source-client"; node: number; port: number; total: number; chunk: number };

async function run(node: ScifNode, job: Job): Promise<number> {
  switch (job.kind) {
    case "echo-server": {
      const l = node.open();
      l.bind(job.port);
      l.listen(1);
      self.postMessage({ ready: true });
      const { endpoint } = await l.accept();
      const buf = new Uint8Array(job.size);
      for (let i = 0; i < job.iters; i++) {
        await endpoint.recv(buf);
        await endpoint.send(buf);
      }
      return 0;
    }
    case "ping-client": {
      const ep = node.open();
      await ep.connect({ node: job.node, port: job.port });
      const buf = new Uint8Array(job.size);
      const warm = Math.min(1000, job.iters >> 2);
      for (let i = 0; i < warm; i++) {
        await ep.send(buf);
        await ep.recv(buf);
      }
      const t0 = performance.now();
      for (let i = warm; i < job.iters; i++) {
        await ep.send(buf);
        await ep.recv(buf);
      }
      return (performance.now() - t0) / (job.iters - warm);
    }
    case "sink-server": {
      const l = node.open();
      l.bind(job.port);
      l.listen(1);
      self.postMessage({ ready: true });
      const { endpoint } = await l.accept();
      const dst = new Uint8Array(job.total);
      const t0 = performance.now();
      for (let off = 0; off < job.total; off += job.chunk) {
        await endpoint.recv(dst.subarray(off, Math.min(off + job.chunk, job.total)));
      }
      return performance.now() - t0;
    }
    case "source-client": {
      const ep = node.open();
      await ep.connect({ node: job.node, port: job.port });
      const src = new Uint8Array(job.total);
      for (let i = 0; i < src.length; i += 4096) src[i] = i;
      const t0 = performance.now();
      for (let off = 0; off < job.total; off += job.chunk) {
        await ep.send(src.subarray(off, Math.min(off + job.chunk, job.total)));
      }
      return performance.now() - t0;
    }
  }
}

self.onmessage = async (e: MessageEvent<{ handle: NetworkHandle; job: Job }>) => {
  const node = await attachNode(e.data.handle);
  const result = await run(node, e.data.job);
  await node.close();
  self.postMessage({ result });
};
