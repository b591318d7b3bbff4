/// <reference lib="deno.worker" />
// One of the two threads of the lab (bench/lab.ts): "a" and "b", each a SCIF node of one
// emulated network, connected every way the measurements compare: a SCIF connection with a
// window on each side (b's also mapped by a), TCP over loopback, a MessagePort, and one shared
// cache line for the raw ping-pong. Every figure is taken between these same two threads; "a"
// drives and times, "b" serves.
import {
  attachNode,
  type Endpoint,
  type NetworkHandle,
  SCIF_FENCE_INIT_SELF,
  SCIF_PROT_READ,
  SCIF_PROT_WRITE,
  SCIF_RMA_SYNC,
  type ScifNode,
} from "../mod.ts";

/** The ways of moving bytes a bandwidth measurement compares. */
export type BandwidthMethod = "memcpy" | "writeTo" | "readFrom" | "stream" | "tcp";
/** The ways of making an 8-byte round trip a latency measurement compares. */
export type LatencyMethod = "raw" | "mmap" | "sendrecv" | "tcp" | "postMessage";

/** Commands from the lab's controller. */
export type LabCommand =
  | {
    cmd: "init";
    role: "a" | "b";
    handle: NetworkHandle;
    peer: number;
    bytes: number;
    line: SharedArrayBuffer;
    port: MessagePort;
  }
  | { cmd: "tcp"; port?: number }
  | { cmd: "bandwidth"; method: BandwidthMethod; size: number; count: number }
  | { cmd: "latency"; method: LatencyMethod; iters: number }
  | { cmd: "listen"; port: number }
  | { cmd: "close" };

const now = () => performance.timeOrigin + performance.now();
const me = self as unknown as {
  onmessage: (e: MessageEvent<LabCommand>) => void;
  postMessage(m: unknown): void;
};

let role: "a" | "b";
let node: ScifNode;
let ep: Endpoint;
let mem: Uint8Array; // this thread's window (also the source and sink of streams)
let loff = 0;
let roff = 0;
let view: Uint8Array; // a: b's window, mapped
let line: Int32Array;
let port: MessagePort;
let tcp: Deno.TcpConn;
const sink = new Uint8Array(1);
const extra: Endpoint[] = []; // idle connections accepted for the scaling measurement

async function init(c: Extract<LabCommand, { cmd: "init" }>): Promise<unknown> {
  role = c.role;
  node = await attachNode(c.handle);
  line = new Int32Array(c.line);
  port = c.port;
  mem = node.allocate(c.bytes);
  mem.fill(role === "a" ? 1 : 2);
  if (role === "b") {
    const l = node.open();
    l.bind(2000);
    l.listen(1);
    me.postMessage({ ready: true });
    ep = (await l.accept()).endpoint;
    l.close();
  } else {
    ep = node.open();
    await ep.connect({ node: c.peer, port: 2000 });
  }
  // Windows: offsets cross the connection itself.
  loff = ep.register(mem);
  await ep.send(new Uint8Array(new Float64Array([loff]).buffer));
  const got = new Uint8Array(8);
  await ep.recv(got);
  roff = new Float64Array(got.buffer)[0];
  if (role === "a") view = ep.mmap(roff, c.bytes, SCIF_PROT_READ | SCIF_PROT_WRITE);
  // One queued transfer and a fence: the node's DMA engine (a Worker started by a Worker, slow
  // to come up in Deno) is running before anything is timed, not starting in the middle of it.
  await ep.writeTo(loff, 64, roff);
  await ep.fenceWait(await ep.fenceMark(SCIF_FENCE_INIT_SELF));
  return { loff, roff };
}

async function openTcp(c: Extract<LabCommand, { cmd: "tcp" }>): Promise<unknown> {
  if (role === "b") {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    me.postMessage({ ready: true, port: (l.addr as Deno.NetAddr).port });
    tcp = (await l.accept()) as Deno.TcpConn;
    l.close();
  } else {
    tcp = await Deno.connect({ hostname: "127.0.0.1", port: c.port! });
  }
  tcp.setNoDelay(true);
  return 0;
}

async function readFull(into: Uint8Array): Promise<void> {
  for (let off = 0; off < into.length;) {
    const n = await tcp.read(into.subarray(off));
    if (n === null) throw new Error("TCP connection closed");
    off += n;
  }
}

async function writeFull(from: Uint8Array): Promise<void> {
  for (let off = 0; off < from.length;) off += await tcp.write(from.subarray(off));
}

/**
 * `count` transfers of `size` bytes from a to b; "a" returns the milliseconds until all have
 * arrived. Transfers walk through the windows (the bytes of transfer i are at (i * size) mod
 * the window), as data streaming through memory does, the same walk for every method.
 */
async function bandwidth(c: Extract<LabCommand, { cmd: "bandwidth" }>): Promise<number> {
  const { method, size, count } = c;
  const slots = Math.max(1, Math.floor(mem.length / size));
  const at = (i: number) => (i % slots) * size;
  if (role === "b") {
    // Serve: receive everything, then say so with one byte.
    if (method === "stream") {
      for (let i = 0; i < count; i++) await ep.recv(mem.subarray(at(i), at(i) + size));
      await ep.send(sink);
    } else if (method === "tcp") {
      for (let i = 0; i < count; i++) await readFull(mem.subarray(at(i), at(i) + size));
      await writeFull(sink);
    }
    return 0;
  }
  const t0 = now();
  switch (method) {
    case "memcpy":
      for (let i = 0; i < count; i++) view.set(mem.subarray(at(i), at(i) + size), at(i));
      break;
    case "writeTo":
      for (let i = 0; i < count; i++) await ep.writeTo(loff + at(i), size, roff + at(i), SCIF_RMA_SYNC);
      break;
    case "readFrom":
      for (let i = 0; i < count; i++) await ep.readFrom(loff + at(i), size, roff + at(i), SCIF_RMA_SYNC);
      break;
    case "stream":
      for (let i = 0; i < count; i++) await ep.send(mem.subarray(at(i), at(i) + size));
      await ep.recv(sink);
      break;
    case "tcp":
      for (let i = 0; i < count; i++) await writeFull(mem.subarray(at(i), at(i) + size));
      await readFull(sink);
      break;
  }
  return now() - t0;
}

/** `iters` round trips of 8 bytes; "a" returns µs per round trip (after a quarter warming up). */
async function latency(c: Extract<LabCommand, { cmd: "latency" }>): Promise<number> {
  const { method, iters } = c;
  const warm = iters >> 2;
  const ping = role === "a";
  let t0 = 0;
  const start = (i: number) => {
    if (i === warm) t0 = now();
  };
  switch (method) {
    case "raw":
    case "mmap": {
      // One cache line both sides use: the raw line, or a cell of b's window (a through its
      // mapping, b in its own memory). a stores odd values, b answers with the next even one.
      const cell = method === "raw"
        ? line
        : new Int32Array((ping ? view : mem).buffer, (ping ? view : mem).byteOffset, 16);
      if (!ping) {
        // b resets the cell and says so; only then is a told to start.
        Atomics.store(cell, 0, 0);
        me.postMessage({ ready: true });
      }
      for (let i = 0; i < iters; i++) {
        start(i);
        if (ping) {
          Atomics.store(cell, 0, 2 * i + 1);
          while (Atomics.load(cell, 0) !== 2 * i + 2);
        } else {
          while (Atomics.load(cell, 0) !== 2 * i + 1);
          Atomics.store(cell, 0, 2 * i + 2);
        }
      }
      break;
    }
    case "sendrecv":
      await scifRoundTrips(ping, iters, start);
      break;
    case "tcp": {
      const buf = new Uint8Array(8);
      for (let i = 0; i < iters; i++) {
        start(i);
        if (ping) {
          await writeFull(buf);
          await readFull(buf);
        } else {
          await readFull(buf);
          await writeFull(buf);
        }
      }
      break;
    }
    case "postMessage":
      await messageRoundTrips(ping, iters, start);
      break;
  }
  return ping ? ((now() - t0) * 1000) / (iters - warm) : 0;
}

async function scifRoundTrips(ping: boolean, iters: number, start: (i: number) => void): Promise<void> {
  const buf = new Uint8Array(8);
  for (let i = 0; i < iters; i++) {
    start(i);
    if (ping) {
      await ep.send(buf);
      await ep.recv(buf);
    } else {
      await ep.recv(buf);
      await ep.send(buf);
    }
  }
}

function messageRoundTrips(ping: boolean, iters: number, start: (i: number) => void): Promise<void> {
  return new Promise((resolve) => {
    let i = 0;
    const buf = new Uint8Array(8);
    port.onmessage = () => {
      if (ping) {
        if (++i === iters) return resolve();
        start(i);
        port.postMessage(buf);
      } else {
        port.postMessage(buf);
        if (++i === iters) resolve();
      }
    };
    if (ping) {
      start(0);
      port.postMessage(buf);
    }
  });
}

/** b and a accept any number of connections on `port` and keep them, idle. */
function listen(c: Extract<LabCommand, { cmd: "listen" }>): number {
  const l = node.open();
  l.bind(c.port);
  l.listen(512);
  (async () => {
    for (;;) extra.push((await l.accept()).endpoint);
  })().catch(() => {});
  return 0;
}

me.onmessage = async (e: MessageEvent<LabCommand>) => {
  const c = e.data;
  let result: unknown;
  switch (c.cmd) {
    case "init":
      result = await init(c);
      break;
    case "tcp":
      result = await openTcp(c);
      break;
    case "bandwidth":
      result = await bandwidth(c);
      break;
    case "latency":
      result = await latency(c);
      break;
    case "listen":
      result = listen(c);
      break;
    case "close":
      if (view) ep.munmap(view);
      tcp?.close();
      await node.close();
      result = 0;
      break;
  }
  me.postMessage({ result });
};
