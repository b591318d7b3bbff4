// A node of the emulated network as one thread attached it: one slot (emu/_slots.ts), its
// endpoints and ports, its dispatcher over the slot queue pairs (the kernel's scif_nodeqp.c
// and scif_epd.c), its DMA engine, and what it knows of the other slots (emu/_peers.ts).
//
// What a node is depends on the network: on a network of threads (createNetwork) a node id is
// attached by one thread at a time and is online for as long as that attachment; on a machine's
// network the machine's nodes are online whether or not a program has attached them, and every
// program that attaches one has a slot of its own; a node of another machine is online while
// its stand-in (a slot of the process that links to that machine) is.
//
// Invariants:
// - Every handler runs in the slot's thread, between two awaits of user calls, to completion.
// - Endpoint tokens are never reused within an incarnation, and every message that names an
//   endpoint carries its token, so a message for an endpoint that is gone matches nothing.

import { ScifError } from "../errors.ts";
import type { EndpointBackend, NodeBackend } from "../_backend.ts";
import type { PortId } from "../types.ts";
import { DmaEngine } from "./_dma.ts";
import { dispatch, type DispatchTarget, type Forwarder } from "./_dispatch.ts";
import { EmuEndpoint, type EndpointHost } from "./_endpoint.ts";
import {
  MODE_REMOTE,
  N_EPOCH,
  N_MODE,
  N_SLOT,
  N_STATE,
  NET_MACHINE,
  NODE_LOST,
  NODE_OFFLINE,
  NODE_ONLINE,
  nodeField,
  PAGE,
  QP_DATA,
  S_DOORBELL,
  S_DROPPED,
  S_EVENT,
  S_NODE,
  S_PID,
  S_SLEEPING,
  S_STANDIN,
  S_WAKES,
  slotField,
} from "./_layout.ts";
import { type Message, type SCIF_UNREGISTER, SCIF_UNREGISTER_ACK } from "./_messages.ts";
import { PeerTracker } from "./_peers.ts";
import { PortTable } from "./_ports.ts";
import type { EndpointRma } from "./_rma.ts";
import type { EmuShared } from "./_shared.ts";
import { endSlot, reclaimIfReleased } from "./_slots.ts";
import { claimNode } from "./_attach.ts";
import { pollEndpoints } from "./_poll.ts";
import { SlotQueuePairs } from "./_slot_qp.ts";
import { keepAlive } from "./_wait.ts";
import { denoGlobal } from "../_deno.ts";

/** How long close() waits for peers to acknowledge disconnects before going offline. */
const CLOSE_WAIT_MS = 200;
/** How long a control message that must go out now waits for room (the kernel's 3 s). */
const POST_WAIT_MS = 3000;

/** This process's id (0 where there is none to tell). */
function pid(): number {
  return denoGlobal()?.pid ?? 0;
}

/** A node attached by this thread. */
export class EmuNode implements NodeBackend, EndpointHost, DispatchTarget {
  readonly kind = "emu" as const;
  readonly nodeId: number;
  readonly net: EmuShared;
  readonly slot: number;
  /** The slot's incarnation. */
  readonly epoch: number;
  readonly ports: PortTable;
  /** Whether this slot has the node itself (a thread's node, a stand-in), rather than being
   * one program of a machine's node. */
  readonly #hasNode: boolean;
  readonly #qps: SlotQueuePairs;
  readonly #peers: PeerTracker;
  readonly #portViews = new Map<number, PortTable>();
  #stopped = false;
  #dispatcher: Promise<void> = Promise.resolve();
  readonly #listeners = new Map<number, EmuEndpoint>();
  readonly #endpoints = new Map<number, EmuEndpoint>(); // token -> endpoint
  readonly #nodeWatchers = new Set<(replaced: number[]) => void>();
  // What the watchers were last told of: per node, its incarnation (N_EPOCH), -1 when offline.
  #nodesSeen: number[] = [];
  #nextToken = 1;
  readonly #eventCell: number;
  readonly #doorbell: number;
  #release: (() => void) | null;
  #dma: DmaEngine | null = null;
  readonly #allocations = new Set<number>(); // heads of the runs allocate() handed out
  // RMA state of closed endpoints that the peer may still send window messages about.
  readonly #zombies = new Map<number, { rma: EndpointRma; peerSlot: number }>();
  // Mappings of other slots' windows, per slot, and what waits for them to be unmapped.
  readonly #maps = new Map<number, number>();
  readonly #afterUnmap = new Map<number, (() => void)[]>();
  /** Set on a slot that stands in for a node of another machine. */
  forwarder: Forwarder | null = null;
  /** Called once the node has closed (the machine network's bookkeeping). */
  readonly onClose: (() => Promise<void> | void)[] = [];

  /** A network of this program's threads, or the machine's network. */
  get network(): "threads" | "machine" {
    return this.net.kind === NET_MACHINE ? "machine" : "threads";
  }

  private constructor(net: EmuShared, nodeId: number, slot: number, epoch: number, hasNode: boolean) {
    this.net = net;
    this.nodeId = nodeId;
    this.slot = slot;
    this.epoch = epoch;
    this.#hasNode = hasNode;
    this.ports = this.#portsOf(nodeId);
    this.#qps = new SlotQueuePairs(net, slot);
    this.#eventCell = slotField(net.layout, slot, S_EVENT);
    this.#doorbell = slotField(net.layout, slot, S_DOORBELL);
    this.#release = null;
    this.#peers = new PeerTracker(net, slot, pid(), {
      slotGone: (k, lost) => this.#slotGone(k, lost),
      whenDoneWith: (k, fn) => this.#whenDoneWith(k, fn),
    });
  }

  /**
   * Attaches node `nodeId` of `net` in this thread. On a network of threads: EBUSY if another
   * thread has it. On a machine's network: a node of this machine (any number of programs), or
   * with `standIn`, the stand-in of a node of another machine (emu/bus/tcp.ts).
   */
  static async attach(net: EmuShared, nodeId: number, standIn = false): Promise<EmuNode> {
    const claim = await claimNode(net, nodeId, standIn, pid());
    const node = new EmuNode(net, nodeId, claim.slot, claim.epoch, claim.hasNode);
    node.#release = claim.release;
    node.#peers.sync(false);
    node.#dispatcher = node.#run();
    return node;
  }

  // ---- NodeBackend ----

  openEndpoint(): EndpointBackend {
    this.#checkOpen();
    // The dispatcher of a slot with nothing going on sleeps without looking at the liveness of
    // other programs: from now on it must.
    if (this.#peers.polls && !this.#relationships()) this.net.ringSlot(this.slot);
    const ep = new EmuEndpoint(this, this.#nextToken++);
    this.#endpoints.set(ep.token, ep);
    return ep;
  }

  getNodeIds(): { nodes: number[]; self: number } {
    this.#checkOpen();
    const nodes: number[] = [];
    for (let k = 0; k < this.net.layout.nodes; k++) if (this.nodeOnline(k)) nodes.push(k);
    return { nodes, self: this.nodeId };
  }

  poll(
    entries: { endpoint: EndpointBackend; events: number }[],
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<number[]> {
    this.#checkOpen();
    return pollEndpoints(this.net, entries, timeoutMs, signal);
  }

  /** The cell this slot's waiters sleep on for any change (poll sleeps on it too). */
  get eventCell(): number {
    return this.#eventCell;
  }

  allocate(length: number): Uint8Array {
    this.#checkOpen();
    const bytes = Math.ceil(length / PAGE) * PAGE;
    const addr = this.net.heap.alloc(bytes, this.slot, true);
    if (addr === 0) throw new ScifError("ENOMEM", `no ${bytes} bytes left in the network's shared memory`);
    this.#allocations.add(addr);
    return new Uint8Array(this.net.memory.buffer, addr, bytes);
  }

  free(memory: Uint8Array): void {
    this.#checkOpen();
    if (memory.buffer !== this.net.memory.buffer || !this.#allocations.has(memory.byteOffset)) {
      throw new ScifError("EINVAL", "not memory this node's allocate() returned, or freed already");
    }
    this.#allocations.delete(memory.byteOffset);
    this.net.heap.release(memory.byteOffset, this.slot);
  }

  async close(): Promise<void> {
    if (this.#stopped) return;
    for (const ep of [...this.#endpoints.values()]) if (!ep.closed) ep.close();
    // Give peers a moment to acknowledge the disconnects and unregistrations, so that they stop
    // writing into our queue pairs and windows; what is left is reclaimed once they let go.
    const until = performance.now() + CLOSE_WAIT_MS;
    while ((this.#endpoints.size > 0 || this.#zombies.size > 0) && performance.now() < until) {
      await this.waitEvent(10);
    }
    await this.#dma?.close();
    this.#dma = null;
    this.#stopped = true;
    this.#peers.stop();
    const l = this.net.layout;
    if (this.#hasNode && this.net.load(nodeField(l, this.nodeId, N_SLOT)) === this.slot + 1) {
      this.net.store(nodeField(l, this.nodeId, N_STATE), NODE_OFFLINE);
    }
    endSlot(this.net, this.slot, this.epoch); // SCIF_EXIT: everyone lets go of us
    await keepAlive(this.#dispatcher);
    this.#release?.();
    this.#release = null;
    reclaimIfReleased(this.net, this.slot, this.slot);
    for (const hook of this.onClose.splice(0)) await hook();
  }

  /** A stand-in whose link went away: its node is lost, as a card that goes away. */
  async lose(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#peers.stop();
    const l = this.net.layout;
    if (this.net.load(nodeField(l, this.nodeId, N_SLOT)) === this.slot + 1) {
      this.net.cas(nodeField(l, this.nodeId, N_STATE), NODE_ONLINE, NODE_LOST);
    }
    endSlot(this.net, this.slot, this.epoch);
    await this.#dispatcher;
    await this.#dma?.close();
    this.#dma = null;
    this.#release?.();
    this.#release = null;
    reclaimIfReleased(this.net, this.slot, this.slot);
    this.kick();
  }

  // ---- services for endpoints (EndpointHost) ----

  /** The port table of node `node` (this slot's view of it). */
  #portsOf(node: number): PortTable {
    let t = this.#portViews.get(node);
    if (!t) {
      t = new PortTable(this.net.layout, this.net.i32, node, this.slot, (s) => this.net.slotGone(s));
      this.#portViews.set(node, t);
    }
    return t;
  }

  /** Forgets an endpoint that was destroyed. */
  forget(ep: EmuEndpoint): void {
    this.#endpoints.delete(ep.token);
    if (ep.localId && this.#listeners.get(ep.localId.port) === ep) this.#listeners.delete(ep.localId.port);
  }

  addListener(ep: EmuEndpoint): void {
    this.#listeners.set(ep.localId!.port, ep);
  }

  /** A new endpoint for accept, bound to the listener's port (one more reference on it). */
  acceptedEndpoint(listener: EmuEndpoint): EmuEndpoint {
    const ep = this.openEndpoint() as EmuEndpoint;
    const port = listener.localId!.port;
    this.ports.hold(port);
    ep.localId = { node: this.nodeId, port };
    return ep;
  }

  /** Whether node `node` is online. */
  nodeOnline(node: number): boolean {
    return this.net.load(nodeField(this.net.layout, node, N_STATE)) === NODE_ONLINE;
  }

  /** ENODEV unless node `node` exists and is online. */
  checkReachable(node: number): void {
    if (!Number.isInteger(node) || node < 0 || node >= this.net.layout.nodes) {
      throw new ScifError("ENODEV", `node ${node} does not exist`);
    }
    if (!this.nodeOnline(node)) throw new ScifError("ENODEV", `node ${node} is not online`);
  }

  /** The slot a connect to `dst` goes to, and its incarnation: the stand-in of a node of
   * another machine, else the holder of the port. ECONNREFUSED when nobody holds it. */
  route(dst: PortId): { slot: number; epoch: number } {
    this.checkReachable(dst.node);
    const l = this.net.layout;
    const slot = this.net.load(nodeField(l, dst.node, N_MODE)) === MODE_REMOTE
      ? this.net.load(nodeField(l, dst.node, N_SLOT)) - 1
      : this.#portsOf(dst.node).holderOf(dst.port);
    if (slot < 0 || slot >= l.slots) {
      throw new ScifError("ECONNREFUSED", `nothing listens on ${dst.node}:${dst.port}`);
    }
    if (this.#peers.known(slot) === -1 && slot !== this.slot) this.#peers.sync(false);
    const epoch = slot === this.slot ? this.epoch : this.#peers.known(slot);
    if (epoch === -1) throw new ScifError("ECONNREFUSED", `nothing listens on ${dst.node}:${dst.port}`);
    return { slot, epoch };
  }

  /** The incarnation of slot `slot` this one has adopted (-1: none; ours: ours). */
  knownEpoch(slot: number): number {
    return slot === this.slot ? this.epoch : this.#peers.known(slot);
  }

  /** Whether slot `slot` stands in for a node of another machine whose bridge may run in this
   * process (spinning for it would only delay it). */
  standInHere(slot: number): boolean {
    return this.net.slot(slot, S_STANDIN) === 1 && this.net.slot(slot, S_PID) === pid();
  }

  /** Whether `addr` is a queue pair block that slot `owner` made (a peer said it is). */
  validQp(addr: number, owner: number): boolean {
    const run = this.net.heap.runOf(addr);
    return run !== null && run.head === addr && run.owner === owner && !run.user &&
      run.bytes >= QP_DATA + this.net.layout.ringBytes;
  }

  /** The node's DMA engine, made on first use. */
  get dma(): DmaEngine {
    return this.#dma ??= new DmaEngine(this.net, this.slot);
  }

  /** Runs `fn` once every transfer queued to our DMA engine so far is done (now, if none is). */
  afterDma(fn: () => void): void {
    if (this.#dma) this.#dma.after(this.#dma.submitted, fn);
    else fn();
  }

  /** Handles now the control messages slot `j` has sent (before a lookup that must see them). */
  pumpFrom(j: number): void {
    if (j >= 0 && this.knownEpoch(j) !== -1 && !this.#stopped) {
      this.#qps.drain(j, (m) => this.#handle(j, m));
    }
  }

  /** Keeps a closed endpoint's RMA state reachable by the peer's window messages until it is
   * empty (called again when it may have become so). */
  keepZombie(token: number, rma: EndpointRma, peerSlot: number): void {
    if (!rma.empty) this.#zombies.set(token, { rma, peerSlot });
    else this.#zombies.delete(token);
  }

  /** One more (+1) or one less (-1) mapping of slot `slot`'s windows. */
  mapped(slot: number, delta: number): void {
    const n = (this.#maps.get(slot) ?? 0) + delta;
    if (n > 0) {
      this.#maps.set(slot, n);
      return;
    }
    this.#maps.delete(slot);
    for (const fn of this.#afterUnmap.get(slot)?.splice(0) ?? []) fn();
    this.#afterUnmap.delete(slot);
  }

  /** Sleeps until something on this node changes (a message handled, a slot gone), or
   * `timeoutMs` passes. */
  async waitEvent(timeoutMs = Infinity, keepProcess = true): Promise<void> {
    // Only this slot's thread rings its event cell (kick).
    const cell = this.#eventCell;
    await this.net.sleep(cell, this.net.load(cell), timeoutMs, keepProcess);
  }

  /** Wakes every call of this thread waiting on this node. */
  kick(): void {
    this.net.ring(this.#eventCell);
  }

  /** Sends a control message to slot `to`. ENODEV when its incarnation is not adopted. */
  post(to: number, m: Message): void {
    if (this.#peers.known(to) === -1 && to !== this.slot && !this.#stopped) this.#peers.sync(false);
    if (this.#stopped || (to !== this.slot && this.#peers.known(to) === -1)) {
      throw new ScifError("ENODEV", `node ${m.dst.node} is not reachable`);
    }
    this.#qps.post(to, m);
  }

  /** Sends a control message and sees it into the destination's ring before returning, so that
   * whatever this thread publishes next (stream bytes, say) cannot overtake it. */
  postOrdered(to: number, m: Message): void {
    this.post(to, m);
    const until = performance.now() + POST_WAIT_MS;
    while (this.#qps.waiting(to) > 0) {
      // The ring is full: let the peer's thread drain it, taking in our own mail meanwhile so
      // that a peer that is waiting for room in our rings can go on too.
      this.pumpFrom(this.slot);
      for (const j of this.#peers.adoptedSlots()) this.pumpFrom(j);
      this.#qps.flush();
      if (performance.now() > until) {
        throw new ScifError("ENODEV", `node ${m.dst.node} does not take control messages`);
      }
    }
  }

  /** Sends a control message if the destination is still there; says whether it went. */
  tryPost(to: number, m: Message): boolean {
    try {
      this.post(to, m);
      return true;
    } catch {
      return false;
    }
  }

  // ---- DispatchTarget ----

  endpoint(token: number): EmuEndpoint | undefined {
    return this.#endpoints.get(token);
  }

  listener(port: number): EmuEndpoint | undefined {
    return this.#listeners.get(port);
  }

  /** The RMA state of endpoint `token`, open or closed (a zombie). */
  rmaOf(token: number): EndpointRma | undefined {
    return this.#endpoints.get(token)?.rmaState ?? this.#zombies.get(token)?.rma ?? undefined;
  }

  unregisterAck(to: number, m: Extract<Message, { op: typeof SCIF_UNREGISTER }>): void {
    this.afterDma(() =>
      this.tryPost(to, { op: SCIF_UNREGISTER_ACK, src: m.dst, dst: m.src, token: m.from, id: m.id })
    );
  }

  dropped(): void {
    Atomics.add(this.net.i32, slotField(this.net.layout, this.slot, S_DROPPED) >> 2, 1);
  }

  /** The slot's counters. */
  stats(): { droppedMessages: number } {
    return { droppedMessages: this.net.slot(this.slot, S_DROPPED) };
  }

  // ---- the control protocol ----

  async #run(): Promise<void> {
    const net = this.net;
    const db = this.#doorbell;
    const sleeping = slotField(net.layout, this.slot, S_SLEEPING);
    const wakes = slotField(net.layout, this.slot, S_WAKES);
    let woke = net.load(wakes);
    while (!this.#stopped) {
      const seen = net.load(db);
      // Another thread or process woke calls of this thread (a ring's data or room, a DMA's
      // completion): each looks again at what it waits for. (It bumps S_WAKES before the
      // doorbell, so this look sees it.)
      const w = net.load(wakes);
      if (w !== woke) {
        woke = w;
        net.bus.wakeAll();
      }
      this.#peers.sync(this.#relationships());
      if (this.#nodeWatchers.size > 0) this.#tellNodeWatchers();
      this.#qps.drain(this.slot, (m) => this.#handle(this.slot, m)); // loopback
      for (const j of this.#peers.adoptedSlots()) this.#qps.drain(j, (m) => this.#handle(j, m));
      const backlog = this.#qps.flush();
      // A peer that waits for ring space rings us: publish what our endpoints have read.
      for (const ep of this.#endpoints.values()) ep.publishConsumption();
      if (this.#stopped) break;
      if (net.load(db) !== seen) continue;
      net.store(sleeping, 1);
      if (net.load(db) !== seen) {
        net.store(sleeping, 0);
        continue;
      }
      const timeout = backlog ? 1 : this.#peers.polls && this.#relationships() ? 250 : Infinity;
      await net.bus.waitRing(sleeping >> 2, timeout);
      net.store(sleeping, 0);
    }
    net.bus.wakeAll();
  }

  /** Whether this slot has anything another slot could be part of, or someone watches the
   * nodes (then the ends of other processes are looked for). */
  #relationships(): boolean {
    return this.#endpoints.size > 0 || this.#zombies.size > 0 || this.#maps.size > 0 ||
      this.#nodeWatchers.size > 0;
  }

  watchNodes(onChange: (replaced: number[]) => void): () => void {
    this.#checkOpen();
    this.#nodeWatchers.add(onChange);
    this.#nodesSeen = this.#nodesNow();
    this.net.ringSlot(this.slot); // a dispatcher's turn tells it, and looks at liveness from now on
    return () => this.#nodeWatchers.delete(onChange);
  }

  #nodesNow(): number[] {
    const l = this.net.layout;
    return Array.from(
      { length: l.nodes },
      (_, k) => this.nodeOnline(k) ? this.net.load(nodeField(l, k, N_EPOCH)) : -1,
    );
  }

  /** Tells the node watchers when the online nodes differ from what they were told last (an
   * attach or an end rings every slot, so a turn of the dispatcher follows each); a node lost
   * and attached again between two looks is a new incarnation: `replaced`. */
  #tellNodeWatchers(): void {
    const now = this.#nodesNow();
    const before = this.#nodesSeen;
    if (now.every((e, k) => e === before[k])) return;
    this.#nodesSeen = now;
    const replaced = now.flatMap((e, k) =>
      e !== -1 && before[k] !== -1 && before[k] !== undefined && e !== before[k] ? [k] : []
    );
    for (const tell of [...this.#nodeWatchers]) tell(replaced);
  }

  #handle(from: number, m: Message | null): void {
    // The source must be the node of the slot whose ring it came in, and we its destination.
    if (m !== null && (m.src.node !== this.net.slot(from, S_NODE) || m.dst.node !== this.nodeId)) m = null;
    dispatch(this, m, from);
    if (m !== null && "token" in m) {
      const z = this.#zombies.get(m.token);
      if (z?.rma.empty) this.#zombies.delete(m.token);
    }
    this.kick();
  }

  /** Slot k's incarnation ended (the kernel's scif_cleanup_scifdev): reset what used it. */
  #slotGone(k: number, nodeLost: boolean): void {
    for (const ep of [...this.#endpoints.values()]) ep.slotGone(k, nodeLost);
    for (const [token, z] of this.#zombies) {
      if (z.peerSlot !== k) continue;
      z.rma.peerGone();
      if (z.rma.empty) this.#zombies.delete(token);
    }
    this.#qps.drop(k);
    this.kick();
  }

  #whenDoneWith(k: number, fn: () => void): void {
    this.afterDma(() => {
      if (!this.#maps.has(k)) return fn();
      const list = this.#afterUnmap.get(k) ?? [];
      list.push(fn);
      this.#afterUnmap.set(k, list);
    });
  }

  #checkOpen(): void {
    if (this.#stopped) throw new ScifError("ENODEV", `node ${this.nodeId} is closed`);
  }
}
