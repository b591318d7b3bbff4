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
//   endpoint carries its token, so a message for an endpoint that is gone matches nothing
//   (emu/_endpoint_table.ts).

import { ScifError } from "../errors.ts";
import type { EndpointBackend, NodeBackend, NodeStats } from "../_backend.ts";
import { NodeStatsPublisher, PUBLISH_MS } from "./_node_stats.ts";
import type { PortId } from "../types.ts";
import { DmaEngine } from "./_dma.ts";
import { silent } from "./_faults.ts";
import { dispatch, type DispatchTarget, type Forwarder } from "./_dispatch.ts";
import { EmuEndpoint, type EndpointHost } from "./_endpoint.ts";
import { EndpointTable } from "./_endpoint_table.ts";
import { NET_MACHINE, NODE_LOST, NODE_OFFLINE, S_DROPPED, S_EVENT, S_NODE, slotField } from "./_layout.ts";
import { NodeAllocations } from "./_allocations.ts";
import { Doorbell } from "./_doorbell.ts";
import { SlotMappings } from "./_mappings.ts";
import { type Message, type SCIF_UNREGISTER, SCIF_UNREGISTER_ACK } from "./_messages.ts";
import { NodeWatchers } from "./_node_watchers.ts";
import { PeerTracker } from "./_peers.ts";
import { ControlPost } from "./_post.ts";
import { pid, SlotRoutes } from "./_routes.ts";
import type { PortTable } from "./_ports.ts";
import type { EndpointRma } from "./_rma.ts";
import type { EmuShared } from "./_shared.ts";
import { endSlot, reclaimIfReleased } from "./_slots.ts";
import { claimNode, leaveNode } from "./_attach.ts";
import { type DownSlot, goDown, slotTakenDown } from "./_hotplug.ts";
import { pollEndpoints } from "./_poll.ts";
import { SlotQueuePairs } from "./_slot_qp.ts";
import { keepAlive } from "./_wait.ts";

/** How long close() waits for peers to acknowledge disconnects before going offline. */
const CLOSE_WAIT_MS = 200;

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
  readonly #routes: SlotRoutes;
  readonly #post: ControlPost;
  #stopped = false;
  /** The node's incarnation (N_EPOCH) this slot belongs to, and whether it was taken down. */
  readonly #nodeEpoch: number;
  #down = false;
  #dispatcher: Promise<void> = Promise.resolve();
  readonly #table = new EndpointTable<EmuEndpoint>();
  readonly #watchers: NodeWatchers;
  readonly #eventCell: number;
  #release: (() => void) | null;
  #dma: DmaEngine | null = null;
  readonly #allocations: NodeAllocations;
  readonly #maps = new SlotMappings(); // of other slots' windows
  /** The slot's statistics in its line of the slot table (emu/_node_stats.ts). */
  readonly #stats: NodeStatsPublisher;
  /** Set on a slot that stands in for a node of another machine. */
  forwarder: Forwarder | null = null;
  /** Called once the node has closed (the machine network's bookkeeping). */
  readonly onClose: (() => Promise<void> | void)[] = [];

  /** A network of this program's threads, or the machine's network. */
  get network(): "threads" | "machine" {
    return this.net.kind === NET_MACHINE ? "machine" : "threads";
  }

  private constructor(
    net: EmuShared,
    nodeId: number,
    slot: number,
    epoch: number,
    hasNode: boolean,
    nodeEpoch: number,
  ) {
    this.net = net;
    this.#nodeEpoch = nodeEpoch;
    this.nodeId = nodeId;
    this.slot = slot;
    this.epoch = epoch;
    this.#hasNode = hasNode;
    this.#qps = new SlotQueuePairs(net, slot);
    this.#eventCell = slotField(net.layout, slot, S_EVENT);
    this.#release = null;
    this.#allocations = new NodeAllocations(net, slot);
    this.#stats = new NodeStatsPublisher(net, slot, this.#table, () => this.#stopped);
    this.#watchers = new NodeWatchers(net, (k) => this.nodeOnline(k));
    this.#peers = new PeerTracker(net, slot, pid(), {
      slotGone: (k, lost) => this.#slotGone(k, lost),
      whenDoneWith: (k, fn) => this.#whenDoneWith(k, fn),
    });
    this.#routes = new SlotRoutes(net, slot, epoch, this.#peers);
    const host = { slot, stopped: () => this.#stopped, pumpFrom: (j: number) => this.pumpFrom(j) };
    this.#post = new ControlPost(host, this.#qps, this.#peers);
    this.ports = this.#routes.portsOf(nodeId);
  }

  /**
   * Attaches node `nodeId` of `net` in this thread. On a network of threads: EBUSY if another
   * thread has it. On a machine's network: a node of this machine (any number of programs), or
   * with `standIn`, the stand-in of a node of another machine (emu/bus/tcp.ts).
   */
  static async attach(net: EmuShared, nodeId: number, standIn = false): Promise<EmuNode> {
    const claim = await claimNode(net, nodeId, standIn, pid());
    const node = new EmuNode(net, nodeId, claim.slot, claim.epoch, claim.hasNode, claim.nodeEpoch);
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
    const ep = new EmuEndpoint(this, this.#table.nextToken());
    this.#table.add(ep);
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
    return this.#allocations.allocate(length);
  }

  free(memory: Uint8Array): void {
    this.#checkOpen();
    this.#allocations.free(memory);
  }

  async close(): Promise<void> {
    if (this.#stopped) return;
    for (const ep of [...this.#table.values()]) if (!ep.closed) ep.close();
    // Give peers a moment to acknowledge the disconnects and unregistrations, so that they stop
    // writing into our queue pairs and windows; what is left is reclaimed once they let go.
    const until = performance.now() + CLOSE_WAIT_MS;
    while ((this.#table.size > 0 || this.#table.zombies > 0) && performance.now() < until) {
      await this.waitEvent(10);
    }
    await this.#dma?.close();
    this.#dma = null;
    this.#stopped = true;
    this.#peers.stop();
    if (this.#hasNode) leaveNode(this.net, this.nodeId, this.slot, NODE_OFFLINE);
    endSlot(this.net, this.slot, this.epoch); // SCIF_EXIT: everyone lets go of us
    await keepAlive(this.#dispatcher);
    this.#releaseSlot();
    for (const hook of this.onClose.splice(0)) await hook();
  }

  /** A stand-in whose link went away: its node is lost, as a card that goes away. */
  async lose(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#peers.stop();
    leaveNode(this.net, this.nodeId, this.slot, NODE_LOST);
    endSlot(this.net, this.slot, this.epoch);
    await this.#dispatcher;
    await this.#letGo();
    this.kick();
  }

  /** Closes the DMA engine, then lets go of the slot (a loss, a down). */
  async #letGo(): Promise<void> {
    await this.#dma?.close();
    this.#dma = null;
    this.#releaseSlot();
  }

  /** Releases the attachment and reclaims the slot if nobody holds it any more. */
  #releaseSlot(): void {
    this.#release?.();
    this.#release = null;
    reclaimIfReleased(this.net, this.slot, this.slot);
  }

  // ---- services for endpoints (EndpointHost) ----

  /** Forgets an endpoint that was destroyed (its counts stay in the node's totals). */
  forget(ep: EmuEndpoint): void {
    this.#stats.closed(ep.counters);
    this.#table.forget(ep);
    this.#stats.ended();
  }

  addListener(ep: EmuEndpoint): void {
    this.#table.addListener(ep);
  }

  /** A new endpoint for accept, bound to the listener's port (one more reference on it). */
  acceptedEndpoint(listener: EmuEndpoint): EmuEndpoint {
    const ep = this.openEndpoint() as EmuEndpoint;
    const port = listener.localId!.port;
    this.ports.hold(port);
    ep.localId = { node: this.nodeId, port };
    return ep;
  }

  // Where things are (emu/_routes.ts).

  nodeOnline(node: number): boolean {
    return this.#routes.nodeOnline(node);
  }

  checkReachable(node: number): void {
    this.#routes.checkReachable(node);
  }

  route(dst: PortId): { slot: number; epoch: number } {
    return this.#routes.route(dst);
  }

  knownEpoch(slot: number): number {
    return this.#routes.knownEpoch(slot);
  }

  standInHere(slot: number): boolean {
    return this.#routes.standInHere(slot);
  }

  validQp(addr: number, owner: number): boolean {
    return this.#routes.validQp(addr, owner);
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
    this.#table.keepZombie(token, rma, peerSlot);
  }

  /** One more (+1) or one less (-1) mapping of slot `slot`'s windows. */
  mapped(slot: number, delta: number): void {
    this.#maps.mapped(slot, delta);
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
    this.#post.post(to, m);
  }

  /** Sends a control message and sees it into the destination's ring before returning, so that
   * whatever this thread publishes next (stream bytes, say) cannot overtake it. */
  postOrdered(to: number, m: Message): void {
    this.#post.postOrdered(to, m);
  }

  /** Sends a control message if the destination is still there; says whether it went. */
  tryPost(to: number, m: Message): boolean {
    return this.#post.tryPost(to, m);
  }

  // ---- DispatchTarget ----

  endpoint(token: number): EmuEndpoint | undefined {
    return this.#table.endpoint(token);
  }

  listener(port: number): EmuEndpoint | undefined {
    return this.#table.listener(port);
  }

  /** The RMA state of endpoint `token`, open or closed (a zombie). */
  rmaOf(token: number): EndpointRma | undefined {
    return this.#table.rmaOf(token);
  }

  unregisterAck(to: number, m: Extract<Message, { op: typeof SCIF_UNREGISTER }>): void {
    this.afterDma(() =>
      this.tryPost(to, { op: SCIF_UNREGISTER_ACK, src: m.dst, dst: m.src, token: m.from, id: m.id })
    );
  }

  dropped(): void {
    Atomics.add(this.net.i32, slotField(this.net.layout, this.slot, S_DROPPED) >> 2, 1);
  }

  /** The node's statistics (emu/_node_stats.ts). */
  stats(): NodeStats {
    return this.#stats.stats(this.nodeId);
  }

  // ---- the control protocol ----

  async #run(): Promise<void> {
    const bell = new Doorbell(this.net, this.slot);
    while (!this.#stopped) {
      const seen = bell.open();
      if (slotTakenDown(this.net, this.nodeId, this.#nodeEpoch, this.slot, this.epoch)) break;
      this.#peers.sync(this.#relationships());
      if (this.#watchers.size > 0) this.#watchers.tell();
      this.#qps.drain(this.slot, (m) => this.#handle(this.slot, m)); // loopback
      for (const j of this.#peers.adoptedSlots()) this.#qps.drain(j, (m) => this.#handle(j, m));
      const backlog = this.#qps.flush();
      // A peer that waits for ring space rings us: publish what our endpoints have read.
      for (const ep of this.#table.values()) ep.publishConsumption();
      this.#stats.turn();
      if (this.#stopped) break;
      if (!bell.maySleep(seen)) continue;
      const idle = this.#peers.polls && this.#relationships() ? 250 : Infinity;
      await bell.sleep(backlog ? 1 : this.#stats.stale ? PUBLISH_MS : idle);
    }
    if (!this.#stopped) await goDown(this.#downSlot());
    this.net.bus.wakeAll();
  }

  /** This slot as emu/_hotplug.ts takes it down (see goDown). */
  #downSlot(): DownSlot {
    const stop = () => {
      this.#down = true;
      this.#table.nodeDown();
      this.#stopped = true;
      this.#peers.stop();
    };
    const { net, slot, epoch, onClose } = this;
    return { net, slot, epoch, onClose, stop, letGo: () => this.#letGo(), kick: () => this.kick() };
  }

  /** Whether this slot has anything another slot could be part of, or someone watches the
   * nodes (then the ends of other processes are looked for). */
  #relationships(): boolean {
    return this.#table.size > 0 || this.#table.zombies > 0 || this.#maps.size > 0 ||
      this.#watchers.size > 0;
  }

  watchNodes(onChange: (replaced: number[]) => void): () => void {
    this.#checkOpen();
    const stop = this.#watchers.add(onChange);
    this.net.ringSlot(this.slot); // a dispatcher's turn tells it, and looks at liveness from now on
    return stop;
  }

  #handle(from: number, m: Message | null): void {
    // The source must be the node of the slot whose ring it came in, and we its destination.
    if (m !== null && (m.src.node !== this.net.slot(from, S_NODE) || m.dst.node !== this.nodeId)) m = null;
    // Fault injection (emu/_faults.ts): a silent node drops what other nodes send it, unanswered.
    if (from !== this.slot && silent(this.net, this.nodeId)) return;
    dispatch(this, m, from);
    if (m !== null && "token" in m) this.#table.handled(m.token);
    this.kick();
  }

  /** Slot k's incarnation ended (the kernel's scif_cleanup_scifdev): reset what used it. */
  #slotGone(k: number, nodeLost: boolean): void {
    this.#table.slotGone(k, nodeLost);
    this.#qps.drop(k);
    this.kick();
  }

  #whenDoneWith(k: number, fn: () => void): void {
    this.afterDma(() => this.#maps.whenUnmapped(k, fn));
  }

  #checkOpen(): void {
    if (this.#stopped) {
      throw new ScifError("ENODEV", `node ${this.nodeId} ${this.#down ? "was taken down" : "is closed"}`);
    }
  }
}
