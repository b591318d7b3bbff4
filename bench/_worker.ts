/// <reference lib="deno.worker" />
// One thread of a measurement (bench/_measure.ts): a raw shared-memory ping-pong partner, a
// memcpy loop, or a SCIF node running one job. Times are absolute (timeOrigin + now), so
// that two threads' figures can be compared.
import {
  attachNode,
  type Endpoint,
  type NetworkHandle,
  SCIF_PROT_READ,
  SCIF_PROT_WRITE,
  SCIF_RMA_SYNC,
  type ScifNode,
} from "../mod.ts";

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
  }
  | { kind: "window"; handle: NetworkHandle; port: number; bytes: number }
  | { kind: "rma"; handle: NetworkHandle; node: number; port: number; sizes: number[]; minMs: number }
  | { kind: "mapped-pong"; handle: NetworkHandle; port: number; iters: number; windows: 1 | 2 }
  | { kind: "mapped-ping"; handle: NetworkHandle; node: number; port: number; iters: number; windows: 1 | 2 }
  | { kind: "tcp-sink"; sizes: number[]; minMs: number }
  | { kind: "tcp-source"; port: number; sizes: number[]; minMs: number };

/** GB/s per size of each way of moving bytes that the "rma" job measures: `setTo` and
 * `setFrom` are TypedArray.prototype.set of the same bytes as writeTo and readFrom move, in
 * the same direction. */
export interface RmaFigures {
  sizes: number[];
  setTo: number[];
  writeTo: number[];
  setFrom: number[];
  readFrom: number[];
}

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

/** Repeats `fn` until `minMs` have passed (at least twice, after one warm-up call); GB/s. */
async function rate(bytes: number, minMs: number, fn: () => unknown): Promise<number> {
  await fn();
  let n = 0;
  const t0 = now();
  let t = t0;
  while (n < 2 || t - t0 < minMs) {
    await fn();
    n++;
    t = now();
  }
  return (bytes * n) / ((t - t0) * 1e6);
}

/** Sends a u64 (an offset) over a SCIF stream, and receives one. */
async function sendU64(ep: Endpoint, v: number): Promise<void> {
  await ep.send(new Uint8Array(new Float64Array([v]).buffer));
}
async function recvU64(ep: Endpoint): Promise<number> {
  const b = new Uint8Array(8);
  await ep.recv(b);
  return new Float64Array(b.buffer)[0];
}

/** The peer's window for RMA jobs: registers `bytes`, sends its offset, waits for the close. */
async function serveWindow(node: ScifNode, port: number, bytes: number): Promise<number> {
  const ep = await listenOne(node, port);
  const mem = node.allocate(bytes);
  mem.fill(3);
  await sendU64(ep, ep.register(mem));
  await ep.recv(new Uint8Array(1)).catch(() => 0);
  return 0;
}

async function rmaFigures(node: ScifNode, job: Extract<Job, { kind: "rma" }>): Promise<RmaFigures> {
  const ep = node.open();
  await ep.connect({ node: job.node, port: job.port });
  const max = Math.max(...job.sizes);
  const mem = node.allocate(max);
  mem.fill(1);
  const loff = ep.register(mem);
  const roff = await recvU64(ep);
  // The same bytes the RMA moves, moved by TypedArray.prototype.set: the peer's window, mapped.
  const view = ep.mmap(roff, max, SCIF_PROT_READ | SCIF_PROT_WRITE);
  const out: RmaFigures = { sizes: job.sizes, setTo: [], writeTo: [], setFrom: [], readFrom: [] };
  const ways: [keyof Omit<RmaFigures, "sizes">, (size: number) => unknown][] = [
    ["setTo", (size) => view.subarray(0, size).set(mem.subarray(0, size))],
    ["writeTo", (size) => ep.writeTo(loff, size, roff, SCIF_RMA_SYNC)],
    ["setFrom", (size) => mem.subarray(0, size).set(view.subarray(0, size))],
    ["readFrom", (size) => ep.readFrom(loff, size, roff, SCIF_RMA_SYNC)],
  ];
  for (const size of job.sizes) {
    // Five rounds, each way in turn, so that the machine's moods fall on all of them; medians.
    const runs = ways.map(() => [] as number[]);
    for (let round = 0; round < 5; round++) {
      for (let w = 0; w < ways.length; w++) {
        runs[w].push(await rate(size, job.minMs / 5, () => ways[w][1](size)));
      }
    }
    ways.forEach(([name], w) => out[name].push(runs[w].sort((a, b) => a - b)[2]));
  }
  ep.munmap(view);
  ep.close();
  return out;
}

/** A ping-pong through mapped windows. With two windows each side spins on its own window and
 * stores into the peer's, which it has mapped. With one, both use one cell of the pong side's
 * window (the ping side through its mapping), as the raw ping-pong uses one cache line. */
async function mappedPingPong(
  node: ScifNode,
  ep: Endpoint,
  role: "ping" | "pong",
  iters: number,
  windows: 1 | 2,
): Promise<number> {
  const mine = node.allocate(4096);
  await sendU64(ep, ep.register(mine));
  const theirs = ep.mmap(await recvU64(ep), 8, SCIF_PROT_READ | SCIF_PROT_WRITE);
  const own = new Int32Array(mine.buffer, mine.byteOffset, 1);
  const mapped = new Int32Array(theirs.buffer, theirs.byteOffset, 1);
  const [inbox, outbox] = windows === 2 ? [own, mapped] : role === "ping" ? [mapped, mapped] : [own, own];
  await ep.send(new Uint8Array(1)); // both mapped: go
  await ep.recv(new Uint8Array(1));
  const warm = iters >> 2;
  let t0 = 0;
  // Ping stores odd values, pong answers with the next even one (one cell serves both ways).
  for (let i = 1; i <= iters; i++) {
    if (i === warm + 1) t0 = now();
    if (role === "ping") {
      Atomics.store(outbox, 0, 2 * i - 1);
      while (Atomics.load(inbox, 0) !== 2 * i);
    } else {
      while (Atomics.load(inbox, 0) !== 2 * i - 1);
      Atomics.store(outbox, 0, 2 * i);
    }
  }
  const us = role === "ping" ? (now() - t0) / (iters - warm) : 0;
  ep.munmap(theirs);
  return us;
}

/** TCP loopback between the same two threads: the sink reads `size` bytes and answers one byte. */
async function tcpSink(job: Extract<Job, { kind: "tcp-sink" }>): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  self.postMessage({ ready: true, port: (listener.addr as Deno.NetAddr).port });
  const conn = await listener.accept();
  listener.close();
  const buf = new Uint8Array(Math.max(...job.sizes));
  const ack = new Uint8Array(1);
  for (;;) {
    const head = new Uint8Array(8);
    if (!await readFull(conn, head)) break;
    const size = new Float64Array(head.buffer)[0];
    if (!await readFull(conn, buf.subarray(0, size))) break;
    await conn.write(ack);
  }
  conn.close();
  return 0;
}

async function readFull(conn: Deno.Conn, into: Uint8Array): Promise<boolean> {
  for (let off = 0; off < into.length;) {
    const n = await conn.read(into.subarray(off));
    if (n === null) return false;
    off += n;
  }
  return true;
}

async function writeFull(conn: Deno.Conn, from: Uint8Array): Promise<void> {
  for (let off = 0; off < from.length;) off += await conn.write(from.subarray(off));
}

async function tcpSource(job: Extract<Job, { kind: "tcp-source" }>): Promise<number[]> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: job.port });
  conn.setNoDelay(true);
  const src = new Uint8Array(Math.max(...job.sizes)).fill(1);
  const ack = new Uint8Array(1);
  const out: number[] = [];
  for (const size of job.sizes) {
    const head = new Uint8Array(new Float64Array([size]).buffer);
    out.push(
      await rate(size, job.minMs, async () => {
        await writeFull(conn, head);
        await writeFull(conn, src.subarray(0, size));
        await readFull(conn, ack);
      }),
    );
  }
  conn.close();
  return out;
}

/** The echo side of the round trip: each message back as it came. */
async function echo(ep: Endpoint, iters: number, size: number): Promise<number> {
  const buf = new Uint8Array(size);
  for (let i = 0; i < iters; i++) {
    await ep.recv(buf);
    await ep.send(buf);
  }
  return 0;
}

/** The ping side: a quarter of the iterations warm up (the code is optimised, the ring goes
 * round), then the clock runs; ms per round trip. */
async function ping(ep: Endpoint, iters: number, size: number): Promise<number> {
  const buf = new Uint8Array(size);
  const warm = iters >> 2;
  for (let i = 0; i < warm; i++) {
    await ep.send(buf);
    await ep.recv(buf);
  }
  const t0 = now();
  for (let i = warm; i < iters; i++) {
    await ep.send(buf);
    await ep.recv(buf);
  }
  return (now() - t0) / (iters - warm);
}

async function run(job: Job): Promise<unknown> {
  switch (job.kind) {
    case "raw-ping":
      return rawPing(new Int32Array(job.sab), job.iters);
    case "raw-pong":
      return rawPong(new Int32Array(job.sab), job.iters);
    case "memcpy":
      return memcpy(job.bytes, job.chunk, job.passes);
    case "tcp-sink":
      return tcpSink(job);
    case "tcp-source":
      return tcpSource(job);
  }
  const node = await attachNode(job.handle);
  try {
    switch (job.kind) {
      case "echo":
        return await echo(await listenOne(node, job.port), job.iters, job.size);
      case "ping": {
        const ep = node.open();
        await ep.connect({ node: job.node, port: job.port });
        return await ping(ep, job.iters, job.size);
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
      case "window":
        return await serveWindow(node, job.port, job.bytes);
      case "rma":
        return await rmaFigures(node, job);
      case "mapped-pong":
        return await mappedPingPong(node, await listenOne(node, job.port), "pong", job.iters, job.windows);
      case "mapped-ping": {
        const ep = node.open();
        await ep.connect({ node: job.node, port: job.port });
        return await mappedPingPong(node, ep, "ping", job.iters, job.windows);
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
