/// <reference lib="deno.worker" />
// One of the two sides of the lab (lab/mod.ts): "a" and "b", each a SCIF node, connected
// every way the measurements compare: a SCIF connection with a window on each side (b's also
// mapped by a), TCP over loopback, a Unix socket (between processes), a MessagePort (between
// Workers), and one shared cache line for the raw ping-pong. Every figure is taken between
// these same two threads or processes; "a" drives and times, "b" serves.
//
// Between Workers the nodes are of one network of threads (a handle each); between processes
// they are nodes 0 and 1 of the machine's network (lab/_process.ts runs this module's
// commands from its stdin), and the raw line is a page of a file both map under a
// WebAssembly memory, as the network's own memory is.
import {
  attachNode,
  type Endpoint,
  type NetworkHandle,
  openNode,
  SCIF_FENCE_INIT_SELF,
  SCIF_PROT_READ,
  SCIF_PROT_WRITE,
  SCIF_RMA_SYNC,
  type ScifNode,
} from "../mod.ts";

/** The ways of moving bytes a bandwidth measurement compares. */
export type BandwidthMethod = "memcpy" | "writeTo" | "readFrom" | "stream" | "tcp" | "unix";
/** The ways of making an 8-byte round trip a latency measurement compares ("wakeup": a round
 * trip whose server is asleep when it comes). */
export type LatencyMethod = "raw" | "mmap" | "sendrecv" | "tcp" | "postMessage" | "unix" | "wakeup";

/** Commands from the lab's controller. */
export type LabCommand =
  | {
    cmd: "init";
    role: "a" | "b";
    /** Workers: the network's handle; processes: the node of the machine's network. */
    handle?: NetworkHandle;
    node?: number;
    peer: number;
    bytes: number;
    /** Workers: a shared cache line; processes: a file both map. */
    line: SharedArrayBuffer | { path: string };
    port?: MessagePort;
  }
  | { cmd: "tcp"; port?: number }
  | { cmd: "unix"; path: string }
  | { cmd: "bandwidth"; method: BandwidthMethod; size: number; count: number }
  | { cmd: "latency"; method: LatencyMethod; iters: number }
  | { cmd: "listen"; port: number }
  | { cmd: "stats" }
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
let port: MessagePort | undefined;
let tcp: Deno.Conn;
let unix: Deno.Conn;
const sink = new Uint8Array(1);
const extra: Endpoint[] = []; // idle connections accepted for the scaling measurement

/** A page of the file at `path`, mapped under a shared WebAssembly memory (FFI). */
function mappedLine(path: string): Int32Array {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const libc = Deno.dlopen("libc.so.6", {
    open: { parameters: ["buffer", "i32", "i32"], result: "i32" },
    ftruncate: { parameters: ["i32", "i64"], result: "i32" },
    mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  }).symbols;
  const fd = libc.open(new TextEncoder().encode(`${path}\0`), 0o102, 0o600); // O_RDWR | O_CREAT
  libc.ftruncate(fd, 65536n);
  const base = Deno.UnsafePointer.of(new Uint8Array(memory.buffer));
  libc.mmap(base, 65536n, 3, 0x11, fd, 0n); // PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED
  return new Int32Array(memory.buffer);
}

async function init(c: Extract<LabCommand, { cmd: "init" }>): Promise<unknown> {
  role = c.role;
  node = c.handle ? await attachNode(c.handle) : await openNode({ node: c.node });
  line = c.line instanceof SharedArrayBuffer ? new Int32Array(c.line) : mappedLine(c.line.path);
  port = c.port;
  mem = node.allocate(c.bytes);
  mem.fill(role === "a" ? 1 : 2);
  if (role === "b") {
    const l = node.open();
    l.bind(2000);
    l.listen(1);
    post({ ready: true });
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
    post({ ready: true, port: (l.addr as Deno.NetAddr).port });
    tcp = await l.accept();
    l.close();
  } else {
    tcp = await Deno.connect({ hostname: "127.0.0.1", port: c.port! });
  }
  (tcp as Deno.TcpConn).setNoDelay(true);
  return 0;
}

async function openUnix(c: Extract<LabCommand, { cmd: "unix" }>): Promise<unknown> {
  if (role === "b") {
    const l = Deno.listen({ transport: "unix", path: c.path });
    post({ ready: true });
    unix = await l.accept();
    l.close();
  } else {
    unix = await Deno.connect({ transport: "unix", path: c.path });
  }
  return 0;
}

async function readFull(into: Uint8Array, conn = tcp): Promise<void> {
  for (let off = 0; off < into.length;) {
    const n = await conn.read(into.subarray(off));
    if (n === null) throw new Error("socket closed");
    off += n;
  }
}

async function writeFull(from: Uint8Array, conn = tcp): Promise<void> {
  for (let off = 0; off < from.length;) off += await conn.write(from.subarray(off));
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
    } else if (method === "tcp" || method === "unix") {
      const conn = method === "tcp" ? tcp : unix;
      for (let i = 0; i < count; i++) await readFull(mem.subarray(at(i), at(i) + size), conn);
      await writeFull(sink, conn);
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
    case "unix": {
      const conn = method === "tcp" ? tcp : unix;
      for (let i = 0; i < count; i++) await writeFull(mem.subarray(at(i), at(i) + size), conn);
      await readFull(sink, conn);
      break;
    }
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
        post({ ready: true });
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
    case "tcp":
    case "unix": {
      const conn = method === "tcp" ? tcp : unix;
      const buf = new Uint8Array(8);
      for (let i = 0; i < iters; i++) {
        start(i);
        if (ping) {
          await writeFull(buf, conn);
          await readFull(buf, conn);
        } else {
          await readFull(buf, conn);
          await writeFull(buf, conn);
        }
      }
      break;
    }
    case "wakeup": {
      // b sleeps in recv (a waits 20 ms before each ping, far past the spin): the round trip
      // is the wake-up of a sleeping peer.
      const buf = new Uint8Array(8);
      let sum = 0;
      for (let i = 0; i < iters; i++) {
        if (ping) {
          await new Promise((r) => setTimeout(r, 20));
          const t = now();
          await ep.send(buf);
          await ep.recv(buf);
          sum += now() - t;
        } else {
          await ep.recv(buf);
          await ep.send(buf);
        }
      }
      return ping ? (sum * 1000) / iters : 0;
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
  const channel = port!;
  return new Promise((resolve) => {
    let i = 0;
    const buf = new Uint8Array(8);
    channel.onmessage = () => {
      if (ping) {
        if (++i === iters) return resolve();
        start(i);
        channel.postMessage(buf);
      } else {
        channel.postMessage(buf);
        if (++i === iters) resolve();
      }
    };
    if (ping) {
      start(0);
      channel.postMessage(buf);
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

/** Where "ready" and results go: the Worker's postMessage, or the process's stdout. */
let post: (m: unknown) => void = (m) => me.postMessage(m);

/** Runs one command; its result goes to `to` (and "ready" messages on the way). */
export async function labCommand(c: LabCommand, to: (m: unknown) => void = post): Promise<void> {
  post = to;
  let result: unknown;
  switch (c.cmd) {
    case "init":
      result = await init(c);
      break;
    case "tcp":
      result = await openTcp(c);
      break;
    case "unix":
      result = await openUnix(c);
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
    case "stats":
      result = node.stats();
      break;
    case "close":
      if (view) ep.munmap(view);
      tcp?.close();
      unix?.close();
      await node.close();
      result = 0;
      break;
  }
  post({ result });
}

// In a Worker, the commands come as messages.
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  me.onmessage = (e: MessageEvent<LabCommand>) => labCommand(e.data);
}
