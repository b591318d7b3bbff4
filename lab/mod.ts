/**
 * The lab: two sides, "a" and "b", each a SCIF node, connected every way the measurements
 * compare (lab/_side.ts): two Workers on one emulated network of threads (Lab.open), or two
 * processes on a machine's network (Lab.openProcesses). The benchmarks (bench/) and the demo
 * (demo/, and the web page, web/) take all their figures here, so every figure and the limit
 * it is compared with are measured between the same two threads, in one run, interleaved.
 *
 * The lab reaches the library only through its public face (../mod.ts). Its files:
 * _side.ts (a side's commands; the Worker script, built to web/dist/lab_worker.js for a page),
 * _hands.ts (the controller's handle on a Worker or a process), _process.ts (a side in a
 * process of its own).
 *
 * @example
 * ```ts ignore
 * import { Lab } from "./mod.ts";
 * const lab = await Lab.open({ bytes: 1 << 20 });
 * console.log(await lab.bandwidth("writeTo", 1 << 20, 100), "GB/s");
 * console.log(await lab.latency("sendrecv", 100_000), "us");
 * await lab.close();
 * ```
 *
 * @module
 */
import { createNetwork, type Network, type NodeStats, type ScifNode } from "../mod.ts";
import { Hand, ProcessHand, type Side } from "./_hands.ts";
import type { BandwidthMethod, LatencyMethod } from "./_side.ts";

export type { BandwidthMethod, LatencyMethod };

/** The two sides and what connects them. */
export class Lab {
  /** The network of threads (null between processes). */
  readonly net: Network | null;
  readonly #a: Side;
  readonly #b: Side;
  readonly #crowd: ScifNode[] = [];
  readonly #dir: string | null;

  private constructor(net: Network | null, a: Side, b: Side, dir: string | null = null) {
    this.net = net;
    this.#a = a;
    this.#b = b;
    this.#dir = dir;
  }

  /**
   * Starts a lab between two processes on a machine's network of their own (nodes 0 and 1),
   * with windows of `bytes`, connected also over TCP loopback and a Unix socket. Their raw
   * line is a page of a file both map.
   */
  static async openProcesses(options: { bytes: number }): Promise<Lab> {
    const dir = await Deno.makeTempDir({ prefix: "scif-lab-" });
    const [a, b] = [new ProcessHand(dir, 0), new ProcessHand(dir, 1)];
    const lab = new Lab(null, a, b, dir);
    const line = { path: `${dir}/line` };
    const bInit = b.send({ cmd: "init", role: "b", node: 1, peer: 0, bytes: options.bytes, line });
    await bInit.ready;
    await Promise.all([
      a.send({ cmd: "init", role: "a", node: 0, peer: 1, bytes: options.bytes, line }).result,
      bInit.result,
    ]);
    const bTcp = b.send({ cmd: "tcp" });
    const { port } = await bTcp.ready;
    await Promise.all([a.send({ cmd: "tcp", port }).result, bTcp.result]);
    const bUnix = b.send({ cmd: "unix", path: `${dir}/unix.sock` });
    await bUnix.ready;
    await Promise.all([a.send({ cmd: "unix", path: `${dir}/unix.sock` }).result, bUnix.result]);
    return lab;
  }

  /**
   * Starts the lab with windows of `bytes` on each side (the largest transfer). `worker` is
   * the lab Worker's script (lab/_side.ts; the browser build's in a page); `tcp` connects the
   * two over TCP loopback too (default: when the runtime is Deno).
   */
  static async open(
    options: { bytes: number; nodes?: number; worker?: URL | string; tcp?: boolean },
  ): Promise<Lab> {
    const memoryBytes = Math.max(256 << 20, Math.ceil((2 * options.bytes + (96 << 20)) / 65536) * 65536);
    const net = await createNetwork({ nodes: options.nodes ?? 8, memoryBytes });
    const script = options.worker ?? new URL("./_side.ts", import.meta.url);
    const [a, b] = [new Hand(script), new Hand(script)];
    const line = new SharedArrayBuffer(256);
    const { port1, port2 } = new MessageChannel();
    const lab = new Lab(net, a, b);
    const bInit = b.send({
      cmd: "init",
      role: "b",
      handle: net.handle(1),
      peer: 0,
      bytes: options.bytes,
      line,
      port: port2,
    }, [port2]);
    await bInit.ready;
    await Promise.all([
      a.send({
        cmd: "init",
        role: "a",
        handle: net.handle(0),
        peer: 1,
        bytes: options.bytes,
        line,
        port: port1,
      }, [port1]).result,
      bInit.result,
    ]);
    // deno-lint-ignore no-explicit-any
    if (options.tcp ?? typeof (globalThis as any).Deno?.connect === "function") {
      const bTcp = b.send({ cmd: "tcp" });
      const { port } = await bTcp.ready;
      await Promise.all([a.send({ cmd: "tcp", port }).result, bTcp.result]);
    }
    return lab;
  }

  async #bandwidthMs(method: BandwidthMethod, size: number, count: number): Promise<number> {
    const served = method === "stream" || method === "tcp" || method === "unix"
      ? this.#b.send({ cmd: "bandwidth", method, size, count }).result
      : null;
    const ms = await this.#a.send<number>({ cmd: "bandwidth", method, size, count }).result;
    await served;
    return ms;
  }

  /** GB/s moving transfers of `size` bytes from a to b for at least about `minMs`. */
  async bandwidth(method: BandwidthMethod, size: number, minMs: number): Promise<number> {
    // One transfer to learn the rate (and warm the path), then as many as fill minMs.
    let count = 1;
    let ms = await this.#bandwidthMs(method, size, count);
    while (ms < minMs / 8 && count < 1 << 24) {
      count *= 8;
      ms = await this.#bandwidthMs(method, size, count);
    }
    count = Math.max(1, Math.ceil((count * minMs) / Math.max(ms, 1e-3)));
    ms = await this.#bandwidthMs(method, size, count);
    return (size * count) / (ms * 1e6);
  }

  /** Runs `method`'s round trips, not timed, for at least `ms`: the first runs of a path share
   * the cores with the compiler threads that are optimizing it. */
  async warmUp(method: LatencyMethod, iters: number, ms = 300): Promise<void> {
    const t = performance.now();
    do await this.latency(method, iters); while (performance.now() - t < ms);
  }

  /** µs per 8-byte round trip between a and b (a quarter of `iters` warms up). */
  async latency(method: LatencyMethod, iters: number): Promise<number> {
    if (method === "postMessage" && this.#dir) return NaN; // no MessagePort between processes
    const b = this.#b.send({ cmd: "latency", method, iters });
    if (method === "raw" || method === "mmap") await b.ready; // b has reset the shared cell
    const us = await this.#a.send<number>({ cmd: "latency", method, iters }).result;
    await b.result;
    return us;
  }

  /**
   * Crowds the network: nodes 2..nodes-1 come online in this thread and open `connections`
   * connections to a and b, which keep them idle. Resolves to the shared memory each idle
   * connection takes (its two endpoint queue pairs).
   */
  async crowd(connections: number): Promise<number> {
    await Promise.all([
      this.#a.send({ cmd: "listen", port: 3000 }).result,
      this.#b.send({ cmd: "listen", port: 3000 }).result,
    ]);
    const net = this.net!;
    for (let k = 2; k < net.nodes; k++) this.#crowd.push(await net.node(k));
    const afterNodes = net.memoryInUse();
    const pending = [];
    for (let i = 0; i < connections; i++) {
      const ep = this.#crowd[i % this.#crowd.length].open();
      pending.push(ep.connect({ node: i % 2, port: 3000 }));
    }
    await Promise.all(pending);
    return (net.memoryInUse() - afterNodes) / connections;
  }

  /** The statistics of a's node and b's (ScifNode.stats, in their threads or processes). */
  async stats(): Promise<[NodeStats, NodeStats]> {
    return await Promise.all([
      this.#a.send<NodeStats>({ cmd: "stats" }).result,
      this.#b.send<NodeStats>({ cmd: "stats" }).result,
    ]);
  }

  /** Ends the sides and the network. */
  async close(): Promise<void> {
    await Promise.all([this.#a.send({ cmd: "close" }).result, this.#b.send({ cmd: "close" }).result]);
    this.#a.end();
    this.#b.end();
    await Promise.all(this.#crowd.map((n) => n.close()));
    await this.net?.close();
    if (this.#dir) {
      await Promise.all([(this.#a as ProcessHand).status, (this.#b as ProcessHand).status]);
      await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
    }
  }
}

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
