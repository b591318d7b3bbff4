/**
 * `ScifNode`: the SCIF node this thread runs on, whatever the backend.
 *
 * @example
 * ```ts
 * import { openNode } from "./mod.ts";
 * const node = await openNode({ backend: "emu" });
 * console.log(node.nodeId, node.backend, node.getNodeIds());
 * await node.close();
 * ```
 *
 * @module
 */

import type { NodeBackend, NodeStats } from "./_backend.ts";

export type { NodeStats };
export type { EndpointCounters, EndpointStats, SlotStats } from "./_stats.ts";
import { Endpoint, endpointBackendOf, type SignalOptions } from "./endpoint.ts";
import { optionSignal } from "./_abort.ts";
import { ScifError } from "./errors.ts";
import { bytesOf, integerOf } from "./_validate.ts";
import { NodeEvent, nodeEventsOf, NodeWatch, type ScifNodeEventMap } from "./_node_events.ts";

export { NodeEvent, type ScifNodeEventMap };

const backends = new WeakMap<ScifNode, NodeBackend>();

/** @internal The backend behind a node (the library's tests and tools; not exported by mod.ts). */
export function backendOf(node: ScifNode): NodeBackend {
  return backends.get(node)!;
}

/**
 * One entry of {@linkcode ScifNode.poll}: the endpoint, the events asked for, and (set by
 * poll) the events that hold.
 *
 * @example
 * ```ts
 * import { openNode, POLLIN, type PollEntry } from "./mod.ts";
 * const node = await openNode({ network: "thread" });
 * const entry: PollEntry = { endpoint: node.open(), events: POLLIN, revents: 0 };
 * console.log(await node.poll([entry], 0), entry.revents); // 1 8: POLLERR, not connected
 * await node.close();
 * ```
 */
export interface PollEntry {
  /** The endpoint to watch. */
  endpoint: Endpoint;
  /** The events asked for: POLLIN, POLLOUT (POLLERR, POLLHUP and POLLNVAL are always reported). */
  events: number;
  /** Set by poll: the events that hold. */
  revents: number;
}

/**
 * A SCIF node, from `openNode()` or an emulated network.
 *
 * @example
 * ```ts
 * import { createNetwork } from "./emu/mod.ts";
 * const net = await createNetwork({ nodes: 2 });
 * const node = await net.node(0);
 * const ep = node.open();
 * ep.bind(2000);
 * await node.close();
 * ```
 */
export class ScifNode extends EventTarget {
  readonly #be: NodeBackend;
  #closed = false;
  #watch: NodeWatch | null = null;
  #ended!: () => void;
  readonly #closedPromise = new Promise<void>((r) => (this.#ended = r));

  /** @internal Made by openNode(), Network.node() and attachNode(). */
  constructor(backend: NodeBackend) {
    super();
    this.#be = backend;
    backends.set(this, backend);
  }

  /**
   * Listens for other nodes coming online (`"nodeadd"`) and being lost (`"noderemove"`), as
   * SCIF's peer bus reports them (SCIF_NODE_ADD, SCIF_NODE_REMOVE): a NodeEvent with the
   * node's id. On hardware, where the kernel tells user space nothing, the node ids are looked
   * at every 250 ms while anyone listens; the emulated network tells at once.
   *
   * @example
   * ```ts
   * import type { ScifNode } from "./mod.ts";
   * declare const node: ScifNode;
   * node.addEventListener("noderemove", (e) => console.log(`node ${e.node} was lost`));
   * ```
   */
  override addEventListener<K extends keyof ScifNodeEventMap>(
    type: K,
    listener: (this: ScifNode, ev: ScifNodeEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Any other event type, as EventTarget's. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    // deno-lint-ignore no-explicit-any
    listener: any,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
    if (type === "nodeadd" || type === "noderemove") this.#startWatch();
  }

  /**
   * Stops a listener addEventListener added (the node's watch goes on until it closes).
   *
   * @example
   * ```ts
   * import type { NodeEvent, ScifNode } from "./mod.ts";
   * declare const node: ScifNode;
   * const onAdd = (e: NodeEvent) => console.log(`node ${e.node} came online`);
   * node.addEventListener("nodeadd", onAdd);
   * node.removeEventListener("nodeadd", onAdd);
   * ```
   */
  override removeEventListener<K extends keyof ScifNodeEventMap>(
    type: K,
    listener: (this: ScifNode, ev: ScifNodeEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Any other event type, as EventTarget's. */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    // deno-lint-ignore no-explicit-any
    listener: any,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
  }

  #startWatch(): void {
    if (this.#watch || this.#closed) return;
    const be = this.#be;
    this.#watch = new NodeWatch(this, {
      onlineNodes: () => be.getNodeIds().nodes,
      watchNodes: (onChange) => be.watchNodes(onChange),
    });
  }

  /**
   * The node events (see addEventListener) as they come, until the node closes or
   * `options.signal` aborts (either ends the iteration).
   *
   * @example
   * ```ts
   * import type { ScifNode } from "./mod.ts";
   * declare const node: ScifNode;
   * for await (const e of node.nodeEvents({ signal: AbortSignal.timeout(60_000) })) {
   *   console.log(e.type, e.node);
   * }
   * ```
   */
  nodeEvents(options?: SignalOptions): AsyncIterableIterator<NodeEvent> {
    this.#open();
    if (options !== undefined && (typeof options !== "object" || options === null)) {
      throw new ScifError("EINVAL", "options must be an object");
    }
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new ScifError("EINVAL", "signal must be an AbortSignal");
    }
    const events = nodeEventsOf(this, this.#closedPromise, signal);
    this.#startWatch();
    return events;
  }

  /** This node's SCIF node id (the host is 0). */
  get nodeId(): number {
    return this.#be.nodeId;
  }

  /**
   * Which kind of backend serves this node: `"hw"` (/dev/scif) or `"emu"` (an emulated
   * network; `network` says which). A name, as `openNode({ backend })` takes it.
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * await using node = await openNode();
   * if (node.backend === "emu") console.log("no SCIF hardware here: emulated, on", node.network);
   * ```
   */
  get backend(): "hw" | "emu" {
    return this.#be.kind;
  }

  /**
   * Where this node's network is: `"hardware"` (/dev/scif), `"threads"` (a network of this
   * program's threads: `createNetwork`, or `openNode({ network: "thread" })`), or `"machine"`
   * (the machine's emulated network, shared by every program that joins it, in memory they all
   * map; linked to other machines over TCP when configured).
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * const node = await openNode();
   * if (node.network === "machine") console.log("other programs on this machine can reach me");
   * await node.close();
   * ```
   */
  get network(): "hardware" | "threads" | "machine" {
    return this.#be.network;
  }

  #open(): NodeBackend {
    if (this.#closed) throw new ScifError("ENODEV", "the node is closed");
    return this.#be;
  }

  /**
   * scif_open: a new, unbound endpoint.
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * await using node = await openNode({ backend: "emu" });
   * using ep = node.open();
   * console.log(ep.localId); // null until bound
   * ```
   */
  open(): Endpoint {
    return new Endpoint(this.#open().openEndpoint());
  }

  /**
   * scif_get_node_ids: the online nodes, ascending, and this node's id.
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * await using node = await openNode({ network: "thread" });
   * const { nodes, self } = node.getNodeIds();
   * console.log(nodes, self); // [ 0 ] 0: a network of one node, this one
   * ```
   */
  getNodeIds(): { nodes: number[]; self: number } {
    return this.#open().getNodeIds();
  }

  /**
   * scif_poll: waits until an entry's events hold or `timeoutMs` passes (-1: no limit, 0: look
   * only). Sets each entry's `revents`; resolves to how many entries have any. An abort of
   * `options.signal` ends the wait with EINTR (the entries' revents are then 0).
   *
   * @example
   * ```ts
   * import { type Endpoint, POLLIN, POLLOUT, type ScifNode } from "./mod.ts";
   * declare const node: ScifNode, a: Endpoint, b: Endpoint;
   * const entries = [{ endpoint: a, events: POLLIN, revents: 0 }, { endpoint: b, events: POLLOUT, revents: 0 }];
   * if (await node.poll(entries, 1000) > 0 && entries[0].revents & POLLIN) await a.recv(new Uint8Array(8));
   * ```
   */
  async poll(entries: PollEntry[], timeoutMs: number, options?: SignalOptions): Promise<number> {
    const be = this.#open();
    if (!Array.isArray(entries)) throw new ScifError("EINVAL", "entries must be an array");
    if (
      typeof timeoutMs !== "number" || !Number.isInteger(timeoutMs) || timeoutMs < -1 || timeoutMs >= 2 ** 31
    ) {
      throw new ScifError(
        "EINVAL",
        `timeoutMs must be an integer in [-1, 2^31) (a C int), got ${String(timeoutMs)}`,
      );
    }
    const list = entries.map((e) => {
      if (typeof e !== "object" || e === null || !(e.endpoint instanceof Endpoint)) {
        throw new ScifError("EINVAL", "each entry needs an endpoint");
      }
      // A short of flags, as struct pollfd's events.
      if (typeof e.events !== "number" || !Number.isInteger(e.events) || e.events < 0 || e.events > 0xffff) {
        throw new ScifError("EINVAL", `events must be an integer in [0, 0xffff], got ${String(e.events)}`);
      }
      // Checked before the wait: poll writes revents into every entry when it ends.
      if (!Reflect.set(e, "revents", 0)) {
        throw new ScifError("EINVAL", "an entry's revents cannot be written (a frozen entry?)");
      }
      return { endpoint: endpointBackendOf(e.endpoint), events: e.events };
    });
    const revents = await be.poll(list, timeoutMs, optionSignal(options, "poll"));
    let ready = 0;
    entries.forEach((e, i) => {
      e.revents = revents[i];
      if (revents[i] !== 0) ready++;
    });
    return ready;
  }

  /**
   * Page-aligned memory of `length` bytes (rounded up to pages), zeroed, that
   * `Endpoint.register` of any node accepts. It lives until `free` and until no window or
   * transfer uses it any more; a node's allocations also go when its node id is attached again.
   *
   * @example
   * ```ts
   * import type { Endpoint, ScifNode } from "./mod.ts";
   * declare const node: ScifNode, ep: Endpoint;
   * const mem = node.allocate(10_000); // 12288 bytes: three pages
   * const offset = ep.register(mem, { bigint: true });
   * ```
   */
  allocate(length: number): Uint8Array {
    const be = this.#open();
    return be.allocate(integerOf(length, "length", 1));
  }

  /**
   * The node's statistics, as the kernel's debugfs listed endpoints, and more (see
   * `NodeStats`): `droppedMessages`, the control messages from other nodes that were malformed
   * and dropped (a buggy peer shows here, instead of crashing or confusing this node); `totals`,
   * the sums of what this program's endpoints of the node did (bytes and messages each way,
   * RMAs and their bytes by kind, fences, windows, wake-ups, time blocked), closed ones
   * included; `endpoints`, each open endpoint's port, peer, state and counters; and on an
   * emulated network `slots`, every program attached to it. Cheap: the counters are plain
   * fields each endpoint's calls add to; this call only sums them. On hardware they count
   * what this library's calls moved through the driver.
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * const node = await openNode();
   * const { droppedMessages, totals, endpoints } = node.stats();
   * console.log(droppedMessages, totals.bytesSent, endpoints.length); // 0 among well-behaved peers
   * await node.close();
   * ```
   */
  stats(): NodeStats {
    return this.#open().stats();
  }

  /**
   * Gives back memory from `allocate`: it is freed once no window or transfer uses it.
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * await using node = await openNode({ network: "thread" });
   * const mem = node.allocate(4096);
   * mem.fill(1);
   * node.free(mem); // do not use mem afterwards
   * ```
   */
  free(memory: Uint8Array): void {
    this.#open().free(bytesOf(memory, "memory"));
  }

  /**
   * Closes every endpoint of the node (opened or accepted through it), then the node.
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * const node = await openNode({ network: "thread" });
   * const ep = node.open();
   * await node.close();
   * console.log(ep.closed); // true
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch?.stop();
    this.#watch = null;
    this.#ended();
    await this.#be.close();
  }

  /**
   * Closes the node unless it is closed already: `await using node = await openNode()`.
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * {
   *   await using node = await openNode({ network: "thread" });
   *   node.open().bind(0);
   * } // closed here, with its endpoints
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
