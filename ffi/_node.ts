// A node of the hardware backend: the SCIF node this machine is, reached through /dev/scif.
// Each endpoint is a descriptor; node-wide calls (get_node_ids, poll) use a descriptor of
// the node's own.

import { POLLNVAL } from "../constants.ts";
import { ScifError } from "../errors.ts";
import { abortError } from "../_abort.ts";
import { denoGlobal } from "../_deno.ts";
import type { EndpointBackend, NodeBackend, NodeStats } from "../_backend.ts";
import { addCounters, EndpointCounters, endpointStats } from "../_stats.ts";
import { IOCTL, Struct } from "./abi.ts";
import { BlockingPool } from "./_blocking.ts";
import { FfiEndpoint, type FfiEndpointHost } from "./_endpoint.ts";
import { cString, Libc, O_RDWR } from "./_libc.ts";

/** How often node ids are looked at while someone watches them. */
const HW_LOOK_MS = 250;
/** The longest slice of a poll given an AbortSignal. */
const SLICE_MS = 20;
const POLLFD_BYTES = 8; // struct pollfd { int fd; short events; short revents; }
const PAGE = 4096;

/** The node behind one /dev/scif. */
export class FfiNode implements NodeBackend, FfiEndpointHost {
  readonly kind = "hw" as const;
  readonly network = "hardware" as const;

  /** The driver keeps its own counters (debugfs), which are not read here: these count what
   * this program's calls did through it. */
  stats(): NodeStats {
    const totals = addCounters(new EndpointCounters(), this.#closedCounters);
    const endpoints = [];
    for (const ep of this.#endpoints) {
      addCounters(totals, ep.counters);
      endpoints.push(endpointStats(ep.counters, ep.localId?.port ?? null, ep.peerId, ep.state));
    }
    return { node: this.nodeId, droppedMessages: 0, totals, endpoints, slots: [] };
  }
  /** The sums of the counters of the endpoints closed so far. */
  readonly #closedCounters = new EndpointCounters();
  readonly libc: Libc;
  readonly device: string;
  readonly pool: BlockingPool;
  readonly nodeId: number;
  readonly #fd: number;
  readonly #endpoints = new Set<FfiEndpoint>();
  readonly #allocations = new Map<bigint, Uint8Array>(); // address -> memory allocate() handed out
  #closed = false;

  private constructor(libc: Libc, device: string, fd: number) {
    this.libc = libc;
    this.device = device;
    this.#fd = fd;
    this.pool = new BlockingPool(libc.path);
    this.nodeId = this.#nodeIds().self;
  }

  /** Opens `device` through the library at `libraryPath`. */
  static open(device: string, libraryPath: string): FfiNode {
    let libc: Libc;
    try {
      libc = new Libc(libraryPath);
    } catch (e) {
      throw new ScifError("ENODEV", `cannot load ${libraryPath}: ${(e as Error).message}`);
    }
    const fd = libc.fn.open(cString(device), O_RDWR);
    if (fd === -1) {
      const e = libc.error(`open ${device}`);
      libc.close();
      throw e;
    }
    return new FfiNode(libc, device, fd);
  }

  #check(): void {
    if (this.#closed) throw new ScifError("ENODEV", "the node is closed");
  }

  openEndpoint(): EndpointBackend {
    this.#check();
    return this.adopt(
      this.libc.check(this.libc.fn.open(cString(this.device), O_RDWR), `open ${this.device}`),
    );
  }

  /** Makes an endpoint of descriptor `fd`. */
  adopt(fd: number): FfiEndpoint {
    const ep = new FfiEndpoint(this, fd);
    this.#endpoints.add(ep);
    return ep;
  }

  forget(ep: FfiEndpoint): void {
    if (this.#endpoints.delete(ep)) addCounters(this.#closedCounters, ep.counters);
  }

  #nodeIds(): { nodes: number[]; self: number } {
    for (let room = 64;; room *= 4) {
      const nodes = new Uint16Array(room);
      const self = new Uint16Array(1);
      const s = new Struct("scifioctl_node_ids")
        .setU64("nodes", this.libc.address(new Uint8Array(nodes.buffer)))
        .setU64("self", this.libc.address(new Uint8Array(self.buffer)))
        .setS32("len", room);
      this.libc.check(
        this.libc.fn.ioctl_buf(this.#fd, BigInt(IOCTL.SCIF_GET_NODEIDS), s.bytes),
        "get_node_ids",
      );
      const online = s.s32("len");
      if (online <= room) return { nodes: [...nodes.subarray(0, online)], self: self[0] };
    }
  }

  getNodeIds(): { nodes: number[]; self: number } {
    this.#check();
    return this.#nodeIds();
  }

  async poll(
    entries: { endpoint: EndpointBackend; events: number }[],
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<number[]> {
    this.#check();
    if (signal && timeoutMs !== 0) {
      // A poll in the kernel cannot be interrupted from here (ffi/_endpoint.ts): slices of at
      // most SLICE_MS, looking at the signal between them.
      const until = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
      for (;;) {
        const left = until - performance.now();
        const revents = await this.poll(entries, Math.max(0, Math.min(SLICE_MS, Math.ceil(left))));
        if (revents.some((r) => r !== 0) || left <= SLICE_MS) return revents;
        if (signal.aborted) throw abortError(signal, "poll");
      }
    }
    const fds = new Uint8Array(new SharedArrayBuffer(Math.max(1, entries.length) * POLLFD_BYTES));
    const view = new DataView(fds.buffer);
    entries.forEach((e, i) => {
      const ep = e.endpoint instanceof FfiEndpoint && !e.endpoint.closed ? e.endpoint : null;
      view.setInt32(i * POLLFD_BYTES, ep ? ep.fd : -1, true); // poll(2) skips negative fds
      view.setInt16(i * POLLFD_BYTES + 4, e.events, true);
    });
    let ret = this.libc.fn.poll(fds, BigInt(entries.length), 0);
    if (ret === 0 && timeoutMs !== 0) {
      const r = await this.pool.call({
        op: "poll",
        fds: fds.buffer as SharedArrayBuffer,
        nfds: entries.length,
        timeout: timeoutMs,
      });
      if (r.ret === -1) throw ScifError.fromErrno(r.errno, "poll");
      ret = r.ret;
    } else if (ret === -1) throw this.libc.error("poll");
    return entries.map((e, i) => {
      if (!(e.endpoint instanceof FfiEndpoint) || e.endpoint.closed) return POLLNVAL;
      return view.getInt16(i * POLLFD_BYTES + 6, true);
    });
  }

  watchNodes(onChange: (replaced: number[]) => void): () => void {
    this.#check();
    // The kernel tells user space nothing of node add and removal: look every HW_LOOK_MS (the
    // caller compares), without holding the process open.
    const timer = setInterval(() => {
      if (!this.#closed) onChange([]); // the kernel tells no incarnations
    }, HW_LOOK_MS);
    denoGlobal()?.unrefTimer?.(timer);
    return () => clearInterval(timer);
  }

  allocate(length: number): Uint8Array {
    this.#check();
    // Ordinary JavaScript memory, page aligned: the driver pins its pages when it is registered,
    // and a view kept after free() stays harmless (it is garbage-collected, never unmapped).
    const bytes = Math.ceil(length / PAGE) * PAGE;
    const whole = new Uint8Array(bytes + PAGE - 1);
    const skew = Number(this.libc.address(whole) % BigInt(PAGE));
    const memory = whole.subarray(skew === 0 ? 0 : PAGE - skew, (skew === 0 ? 0 : PAGE - skew) + bytes);
    this.#allocations.set(this.libc.address(memory), memory);
    return memory;
  }

  free(memory: Uint8Array): void {
    this.#check();
    if (!this.#allocations.delete(this.libc.address(memory))) {
      throw new ScifError("EINVAL", "not memory this node's allocate() returned, or freed already");
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const ep of [...this.#endpoints]) if (!ep.closed) ep.close();
    this.libc.fn.close(this.#fd);
    this.pool.close();
    return Promise.resolve();
  }
}
