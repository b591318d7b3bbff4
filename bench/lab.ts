/**
 * The lab: two Workers, "a" and "b", each a SCIF node of one emulated network and connected
 * every way the measurements compare (bench/_lab.ts). The benchmarks and the demo take all
 * their figures here, so every figure and the limit it is compared with are measured between
 * the same two threads, in one run, interleaved.
 *
 * @example
 * ```ts ignore
 * import { Lab } from "./lab.ts";
 * const lab = await Lab.open({ bytes: 1 << 20 });
 * console.log(await lab.bandwidth("writeTo", 1 << 20, 100), "GB/s");
 * console.log(await lab.latency("sendrecv", 100_000), "us");
 * await lab.close();
 * ```
 *
 * @module
 */
import { createNetwork, type Network, type ScifNode } from "../mod.ts";
import type { BandwidthMethod, LabCommand, LatencyMethod } from "./_lab.ts";

export type { BandwidthMethod, LatencyMethod };

/** One lab Worker, with its commands as calls. */
class Hand {
  readonly worker: Worker;
  #ready: (() => void) | null = null;
  #result: ((v: unknown) => void) | null = null;
  #readyData: { port?: number } = {};

  constructor(script: URL | string) {
    this.worker = new Worker(script, { type: "module" });
    this.worker.onmessage = (e) => {
      if (e.data.ready) {
        this.#readyData = e.data;
        this.#ready?.();
      } else this.#result?.(e.data.result);
    };
    this.worker.onerror = (e) => {
      throw new Error(`lab worker: ${e.message}`);
    };
  }

  /** Sends `c`; resolves to its result; `onReady` resolves at the Worker's "ready". */
  send<T>(
    c: LabCommand,
    transfer: Transferable[] = [],
  ): { result: Promise<T>; ready: Promise<{ port?: number }> } {
    const ready = new Promise<{ port?: number }>((r) => (this.#ready = () => r(this.#readyData)));
    const result = new Promise<T>((r) => (this.#result = r as (v: unknown) => void));
    this.worker.postMessage(c, transfer);
    return { result, ready };
  }
}

/** The two Workers and what connects them. */
export class Lab {
  readonly net: Network;
  readonly #a: Hand;
  readonly #b: Hand;
  readonly #crowd: ScifNode[] = [];

  private constructor(net: Network, a: Hand, b: Hand) {
    this.net = net;
    this.#a = a;
    this.#b = b;
  }

  /**
   * Starts the lab with windows of `bytes` on each side (the largest transfer). `worker` is
   * the lab Worker's script (bench/_lab.ts; the browser build's in a page); `tcp` connects the
   * two over TCP loopback too (default: when the runtime is Deno).
   */
  static async open(
    options: { bytes: number; nodes?: number; worker?: URL | string; tcp?: boolean },
  ): Promise<Lab> {
    const memoryBytes = Math.max(256 << 20, Math.ceil((2 * options.bytes + (96 << 20)) / 65536) * 65536);
    const net = await createNetwork({ nodes: options.nodes ?? 8, memoryBytes });
    const script = options.worker ?? new URL("./_lab.ts", import.meta.url);
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
    const served = method === "stream" || method === "tcp"
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
    for (let k = 2; k < this.net.nodes; k++) this.#crowd.push(await this.net.node(k));
    const afterNodes = this.net.memoryInUse();
    const pending = [];
    for (let i = 0; i < connections; i++) {
      const ep = this.#crowd[i % this.#crowd.length].open();
      pending.push(ep.connect({ node: i % 2, port: 3000 }));
    }
    await Promise.all(pending);
    return (this.net.memoryInUse() - afterNodes) / connections;
  }

  /** Ends the Workers and the network. */
  async close(): Promise<void> {
    await Promise.all([this.#a.send({ cmd: "close" }).result, this.#b.send({ cmd: "close" }).result]);
    this.#a.worker.terminate();
    this.#b.worker.terminate();
    await Promise.all(this.#crowd.map((n) => n.close()));
    await this.net.close();
  }
}

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
