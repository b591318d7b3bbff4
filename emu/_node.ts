// A node of the emulated network, run by the one thread that attached it: its incarnation,
// its ports and endpoints, and the control protocol over its node queue pairs (the kernel's
// scif_nodeqp.c, scif_epd.c and scif_nm.c).
//
// Node lifecycle. A node id is attached by one thread at a time; each attach is a new
// incarnation (the node table's epoch). Node j "adopts" node k's incarnation when it sees k
// ONLINE, and only then touches what it shares with k: the node queue pairs between them and
// k's endpoint queue pairs. When k's incarnation ends (close, or loss: its thread ended), j
// drops everything that referred to it (connections reset, pending connects fail) and records
// that in release[j][k]. The next attach of k waits until every online node has released the
// previous incarnation, and only then resets the shared rings and reclaims the previous
// incarnation's memory: nobody can still be writing into it.
//
// Invariants:
// - Every handler runs in the node's thread, between two awaits of user calls, to completion.
// - Endpoint tokens are never reused within an incarnation, and every message that names an
//   endpoint carries its token, so a message for an endpoint that is gone matches nothing.

import { POLLERR, POLLHUP, POLLNVAL } from "../constants.ts";
import { ScifError } from "../errors.ts";
import type { EndpointBackend, NodeBackend } from "../_backend.ts";
import type { PortId } from "../types.ts";
import { DmaEngine } from "./_dma.ts";
import { EmuEndpoint } from "./_endpoint.ts";
import {
  H_ATTACH_LOCK,
  N_DOORBELL,
  N_EPOCH,
  N_EVENT,
  N_REMOTE,
  N_STATE,
  N_WATCHABLE,
  NODE_ATTACHING,
  NODE_LOST,
  NODE_OFFLINE,
  NODE_ONLINE,
  nodeField,
  PAGE,
  releaseCell,
} from "./_layout.ts";
import { hold, inWorker, lockName, watch } from "./_liveness.ts";
import { type Message, NodeQueuePairs, resetNodeQp } from "./_nodeqp.ts";
import {
  SCIF_CNCT_GNT,
  SCIF_CNCT_GNTACK,
  SCIF_CNCT_GNTNACK,
  SCIF_CNCT_REJ,
  SCIF_CNCT_REQ,
  SCIF_DISCNCT,
  SCIF_DISCNT_ACK,
  SCIF_MUNMAP,
  SCIF_REGISTER,
  SCIF_RMA_XFER,
  SCIF_RMA_XFER_DONE,
  SCIF_UNREGISTER,
  SCIF_UNREGISTER_ACK,
  SCIF_UNREGISTER_NACK,
} from "./_ops.ts";
import { type EndpointRma, unregisterAck } from "./_rma.ts";
import { PortTable } from "./_ports.ts";
import type { EmuShared } from "./_shared.ts";
import { keepAlive, sleepOn, sleepOnAny } from "./_wait.ts";

/** How long an attach waits for the online nodes to release the previous incarnation. */
const RELEASE_WAIT_MS = 5000;
/** How long close() waits for peers to acknowledge disconnects before going offline. */
const CLOSE_WAIT_MS = 200;
/** How long a control message that must go out now waits for room (the kernel's 3 s). */
const POST_WAIT_MS = 3000;

/**
 * What a node that stands in for a node of another process does with what is addressed to it
 * (emu/_bridge.ts): its connection requests and the RMA of its peers go over a socket.
 */
export interface Forwarder {
  /** SCIF_CNCT_REQ to the stand-in: answer it (a grant or a rejection) in due course. */
  connectRequest(node: EmuNode, m: Message): void;
  /** SCIF_RMA_XFER from a peer of one of the stand-in's endpoints. */
  rmaRequest(node: EmuNode, m: Message): void;
}

/** A node attached by this thread. */
export class EmuNode implements NodeBackend {
  readonly kind = "emu" as const;
  readonly nodeId: number;
  readonly net: EmuShared;
  readonly epoch: number;
  readonly ports = new PortTable();
  readonly #qps: NodeQueuePairs;
  #stopped = false;
  #dispatcher: Promise<void> = Promise.resolve();
  readonly #listeners = new Map<number, EmuEndpoint>();
  readonly #endpoints = new Map<number, EmuEndpoint>(); // token -> endpoint
  #nextToken = 1;
  readonly #known: number[]; // per node: the incarnation adopted, -1 when none
  readonly #unwatch: ((() => void) | null)[];
  readonly #eventCell: number;
  readonly #doorbell: number;
  #releaseLiveness: (() => void) | null;
  #dma: DmaEngine | null = null;
  readonly #allocations = new Set<number>(); // heads of the runs allocate() handed out
  // RMA state of closed endpoints that the peer may still send window messages about.
  readonly #zombies = new Map<number, { rma: EndpointRma; peerNode: number }>();
  /** Set on a node that stands in for a node of another process. */
  forwarder: Forwarder | null = null;
  /** Called once the node has closed (the machine network's bookkeeping, emu/_machine.ts). */
  readonly onClose: (() => Promise<void> | void)[] = [];

  private constructor(net: EmuShared, nodeId: number, epoch: number, liveness: (() => void) | null) {
    this.net = net;
    this.nodeId = nodeId;
    this.epoch = epoch;
    this.#releaseLiveness = liveness;
    const n = net.layout.nodes;
    this.#qps = new NodeQueuePairs(net, nodeId);
    this.#known = new Array(n).fill(-1);
    this.#known[nodeId] = epoch;
    this.#unwatch = new Array(n).fill(null);
    this.#eventCell = nodeField(net.layout, nodeId, N_EVENT);
    this.#doorbell = nodeField(net.layout, nodeId, N_DOORBELL);
  }

  /** Attaches node `nodeId` of `net` in this thread (EBUSY if it is attached elsewhere);
   * `remote`: as the stand-in of a node of another process (emu/_bridge.ts). */
  static async attach(net: EmuShared, nodeId: number, remote = false): Promise<EmuNode> {
    const l = net.layout;
    if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId >= l.nodes) {
      throw new ScifError("ENODEV", `node ${nodeId} does not exist (the network has ${l.nodes})`);
    }
    const state = nodeField(l, nodeId, N_STATE);
    let was = net.cas(state, NODE_OFFLINE, NODE_ATTACHING);
    if (was === NODE_LOST) was = net.cas(state, NODE_LOST, NODE_ATTACHING);
    if (was !== NODE_OFFLINE && was !== NODE_LOST) {
      throw new ScifError("EBUSY", `node ${nodeId} is already attached by another thread`);
    }
    let liveness: (() => void) | null = null;
    try {
      if (inWorker()) liveness = await holdLiveness(net, nodeId);
      await waitForRelease(net, nodeId);
    } catch (e) {
      liveness?.();
      net.store(state, was);
      throw e;
    }
    // The critical section is synchronous: no other attach runs meanwhile, and no online node
    // touches anything of this node id (all released it), so resetting is safe.
    const lock = l.header + H_ATTACH_LOCK;
    while (net.cas(lock, 0, nodeId + 1) !== 0) { /* attaches take microseconds */ }
    let epoch: number;
    try {
      const previous = net.load(nodeField(l, nodeId, N_EPOCH));
      if (previous > 0) net.heap.reclaim(nodeId);
      for (let j = 0; j < l.nodes; j++) {
        resetNodeQp(net, nodeId, j);
        if (j !== nodeId) resetNodeQp(net, j, nodeId);
        const ej = net.load(nodeField(l, j, N_EPOCH));
        const online = j !== nodeId && net.load(nodeField(l, j, N_STATE)) === NODE_ONLINE;
        net.store(releaseCell(l, nodeId, j), online ? ej - 1 : ej);
      }
      epoch = previous + 1;
      net.store(nodeField(l, nodeId, N_EPOCH), epoch);
      net.store(nodeField(l, nodeId, N_WATCHABLE), liveness ? 1 : 0);
      net.store(nodeField(l, nodeId, N_REMOTE), remote ? 1 : 0);
      net.store(state, NODE_ONLINE);
    } finally {
      net.store(lock, 0);
    }
    const node = new EmuNode(net, nodeId, epoch, liveness);
    net.ringAll(); // SCIF_NODE_ADD: everyone adopts the new incarnation
    node.#dispatcher = node.#run();
    return node;
  }

  // ---- NodeBackend ----

  openEndpoint(): EndpointBackend {
    this.#checkOpen();
    const ep = new EmuEndpoint(this, this.#nextToken++);
    this.#endpoints.set(ep.token, ep);
    return ep;
  }

  getNodeIds(): { nodes: number[]; self: number } {
    this.#checkOpen();
    const nodes: number[] = [];
    for (let k = 0; k < this.net.layout.nodes; k++) {
      if (this.#stateOf(k) === NODE_ONLINE) nodes.push(k);
    }
    return { nodes, self: this.nodeId };
  }

  async poll(entries: { endpoint: EndpointBackend; events: number }[], timeoutMs: number): Promise<number[]> {
    this.#checkOpen();
    const deadline = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
    const eps = entries.map((e) => e.endpoint instanceof EmuEndpoint ? e.endpoint : null);
    const look = () =>
      entries.map((e, i) => {
        const ep = eps[i];
        if (!ep || ep.closed) return POLLNVAL;
        return ep.pollEvents() & (e.events | POLLERR | POLLHUP);
      });
    for (;;) {
      let revents = look();
      if (revents.some((r) => r !== 0) || timeoutMs === 0) return revents;
      // Announce the wait on every cell, then look again before sleeping (no lost wake-up).
      const cells: [number, number][] = [];
      const nodes = new Set<EmuNode>();
      eps.forEach((ep, i) => {
        if (!ep) return;
        nodes.add(ep.node);
        cells.push(...ep.pollCells(entries[i].events));
      });
      for (const n of nodes) cells.push([n.#eventCell >> 2, this.net.load(n.#eventCell)]);
      revents = look();
      const left = deadline - performance.now();
      if (revents.some((r) => r !== 0) || left <= 0) {
        eps.forEach((ep) => ep?.pollDone());
        return revents;
      }
      await sleepOnAny(this.net.i32, cells, left === Infinity ? Infinity : Math.ceil(left));
      eps.forEach((ep) => ep?.pollDone());
    }
  }

  allocate(length: number): Uint8Array {
    this.#checkOpen();
    const bytes = Math.ceil(length / PAGE) * PAGE;
    const addr = this.net.heap.alloc(bytes, this.nodeId);
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
    this.net.heap.release(memory.byteOffset);
  }

  /** The node's DMA engine, made on first use. */
  get dma(): DmaEngine {
    return this.#dma ??= new DmaEngine(this.net, this.nodeId);
  }

  /** Runs `fn` once every transfer queued to our DMA engine so far is done (now, if none is). */
  afterDma(fn: () => void): void {
    if (this.#dma) this.#dma.after(this.#dma.submitted, fn);
    else fn();
  }

  /** Handles now the control messages node `j` has sent (before a lookup that must see them). */
  pumpFrom(j: number | undefined): void {
    if (j !== undefined && this.#known[j] !== -1 && !this.#stopped) {
      this.#qps.drain(j, (m) => this.#handle(m));
    }
  }

  /** Keeps a closed endpoint's RMA state reachable by the peer's window messages until it is
   * empty (called again when it may have become so). */
  keepZombie(token: number, rma: EndpointRma, peerNode: number): void {
    if (!rma.empty) this.#zombies.set(token, { rma, peerNode });
    else this.#zombies.delete(token);
  }

  async close(): Promise<void> {
    if (this.#stopped) return;
    for (const ep of [...this.#endpoints.values()]) if (!ep.closed) ep.close();
    // Give peers a moment to acknowledge the disconnects and unregistrations, so that they stop
    // writing into our queue pairs and windows and we can free them; what is left is reclaimed
    // by this node id's next attach.
    const until = performance.now() + CLOSE_WAIT_MS;
    while ((this.#endpoints.size > 0 || this.#zombies.size > 0) && performance.now() < until) {
      await sleepOn(this.net.i32, this.#eventCell >> 2, this.net.load(this.#eventCell), 10);
    }
    await this.#dma?.close();
    this.#dma = null;
    this.#stopped = true;
    this.setRemote(false);
    this.net.store(nodeField(this.net.layout, this.nodeId, N_STATE), NODE_OFFLINE);
    this.net.ringAll(); // SCIF_EXIT
    for (let k = 0; k < this.#unwatch.length; k++) this.#unwatch[k]?.();
    await keepAlive(this.#dispatcher);
    this.#releaseLiveness?.();
    this.#releaseLiveness = null;
    for (const hook of this.onClose.splice(0)) await hook();
  }

  // ---- services for endpoints ----

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

  /** ENODEV unless node `node` exists and is online (in incarnation `epoch`, when given). */
  checkReachable(node: number, epoch?: number): void {
    if (node < 0 || node >= this.net.layout.nodes) {
      throw new ScifError("ENODEV", `node ${node} does not exist`);
    }
    if (this.#stateOf(node) !== NODE_ONLINE || (epoch !== undefined && this.#known[node] !== epoch)) {
      throw new ScifError("ENODEV", `node ${node} is not online`);
    }
  }

  /** Whether node `node` stands in for a node of another process (its memory is not ours). */
  isRemote(node: number): boolean {
    return this.net.load(nodeField(this.net.layout, node, N_REMOTE)) === 1;
  }

  /** Says whether this node stands in for a node of another process (emu/_bridge.ts). */
  setRemote(remote: boolean): void {
    this.net.store(nodeField(this.net.layout, this.nodeId, N_REMOTE), remote ? 1 : 0);
  }

  /**
   * A stand-in whose process went away: the node is lost, as a card that goes away. Peers
   * drop what referred to it (connections reset, pending connects fail with ENODEV); the id
   * may be attached again.
   */
  async lose(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const l = this.net.layout;
    this.net.store(nodeField(l, this.nodeId, N_STATE), NODE_LOST);
    this.net.ringAll();
    await this.#dispatcher;
    this.#dma?.close();
    this.#dma = null;
    this.setRemote(false);
    this.kick();
  }

  /** The incarnation of `node` this node has adopted (-1: none). */
  knownEpoch(node: number): number {
    return this.#known[node];
  }

  /** The address of node `node`'s doorbell. */
  doorbellOf(node: number): number {
    return nodeField(this.net.layout, node, N_DOORBELL);
  }

  /** Sleeps until something on this node changes (a message handled, a node lost), or
   * `timeoutMs` passes. */
  async waitEvent(timeoutMs = Infinity): Promise<void> {
    const i = this.#eventCell >> 2;
    await sleepOn(this.net.i32, i, Atomics.load(this.net.i32, i), timeoutMs);
  }

  /** Wakes every call of this thread waiting on this node. */
  kick(): void {
    this.net.ring(this.#eventCell);
  }

  /** Sends a control message. ENODEV when the destination's incarnation is not adopted. */
  post(op: number, src: PortId, dst: PortId, p0 = 0n, p1 = 0n, p2 = 0n, p3 = 0n): void {
    if (this.#known[dst.node] === -1 && !this.#stopped) this.#syncPeers(); // a node that just came up
    if (this.#stopped || this.#known[dst.node] === -1 || this.#stateOf(dst.node) !== NODE_ONLINE) {
      throw new ScifError("ENODEV", `node ${dst.node} is not online`);
    }
    this.#qps.post({ op, src, dst, p: [p0, p1, p2, p3] });
  }

  /** Sends a control message and sees it into the destination's ring before returning, so that
   * whatever this thread publishes next (stream bytes, say) cannot overtake it. */
  postOrdered(op: number, src: PortId, dst: PortId, p0 = 0n, p1 = 0n, p2 = 0n, p3 = 0n): void {
    this.post(op, src, dst, p0, p1, p2, p3);
    const until = performance.now() + POST_WAIT_MS;
    while (this.#qps.waiting(dst.node) > 0) {
      // The ring is full: let the peer's thread drain it, taking in our own mail meanwhile so
      // that a peer that is waiting for room in our rings can go on too.
      for (let j = 0; j < this.#known.length; j++) this.pumpFrom(j);
      this.#qps.flush();
      if (performance.now() > until) {
        throw new ScifError("ENODEV", `node ${dst.node} does not take control messages`);
      }
    }
  }

  /** Sends a control message if the destination is still there; says whether it went. */
  tryPost(op: number, src: PortId, dst: PortId, p0 = 0n, p1 = 0n, p2 = 0n, p3 = 0n): boolean {
    try {
      this.post(op, src, dst, p0, p1, p2, p3);
      return true;
    } catch {
      return false;
    }
  }

  // ---- the control protocol ----

  async #run(): Promise<void> {
    const i32 = this.net.i32;
    const db = this.#doorbell >> 2;
    while (!this.#stopped) {
      const seen = Atomics.load(i32, db);
      this.#syncPeers();
      for (let j = 0; j < this.#known.length; j++) {
        if (this.#known[j] !== -1) this.#qps.drain(j, (m) => this.#handle(m));
      }
      const backlog = this.#qps.flush();
      // A peer that waits for ring space rings us: publish what our endpoints have read.
      for (const ep of this.#endpoints.values()) ep.publishConsumption();
      if (this.#stopped) break;
      if (Atomics.load(i32, db) !== seen) continue;
      await sleepOn(i32, db, seen, backlog ? 1 : Infinity, false);
    }
  }

  #handle(m: Message): void {
    switch (m.op) {
      case SCIF_CNCT_REQ: // p0 requester's qp block, p1 its token, p2 its node's incarnation
        this.#connectRequest(m);
        break;
      case SCIF_CNCT_GNT: // p0 acceptor's qp block, p1 requester's token, p2 acceptor's token
        if (!this.#endpoints.get(Number(m.p[1]))?.granted(m.src, Number(m.p[0]), Number(m.p[2]))) {
          this.tryPost(SCIF_CNCT_GNTNACK, m.dst, m.src, m.p[2]);
        }
        break;
      case SCIF_CNCT_GNTACK: // p0 acceptor's token
      case SCIF_CNCT_GNTNACK:
        this.#endpoints.get(Number(m.p[0]))?.grantAnswered(m.op === SCIF_CNCT_GNTACK);
        break;
      case SCIF_CNCT_REJ: // p0 requester's token
        this.#endpoints.get(Number(m.p[0]))?.rejected(m.src);
        break;
      case SCIF_DISCNCT: { // p0 receiver's token, p1 sender's token
        const ep = this.#endpoints.get(Number(m.p[0]));
        if (ep && ep.peerToken === Number(m.p[1]) && ep.peerId?.node === m.src.node) ep.peerClosed();
        // Always acknowledge: the closer frees its queue pair on the ack.
        this.tryPost(SCIF_DISCNT_ACK, m.dst, m.src, m.p[1]);
        break;
      }
      case SCIF_DISCNT_ACK: // p0 the closer's token
        this.#endpoints.get(Number(m.p[0]))?.disconnectAcknowledged();
        break;
      case SCIF_RMA_XFER: // to a stand-in: see emu/_bridge.ts
        if (this.forwarder) this.forwarder.rmaRequest(this, m);
        else this.tryPost(SCIF_RMA_XFER_DONE, m.dst, m.src, m.p[0], 95n); // EOPNOTSUPP
        break;
      case SCIF_RMA_XFER_DONE: // p0 the requester's token | request id << 32, p1 errno (0: done)
        this.#rmaOf(Number(m.p[0] & 0xffffffffn))?.delegatedDone(m);
        break;
      case SCIF_REGISTER: // window bookkeeping: p0 (low 32 bits) the receiving endpoint's token
      case SCIF_UNREGISTER:
      case SCIF_UNREGISTER_ACK:
      case SCIF_UNREGISTER_NACK:
      case SCIF_MUNMAP: {
        const token = Number(m.p[0] & 0xffffffffn);
        const zombie = this.#zombies.get(token);
        const rma = this.#rmaOf(token);
        if (rma) rma.message(m);
        else if (m.op === SCIF_UNREGISTER) unregisterAck(this, m); // nothing of it is mapped here
        if (zombie?.rma.empty) this.#zombies.delete(token);
        break;
      }
      default:
        return;
    }
    this.kick();
  }

  /** The RMA state of endpoint `token`, open or closed (a zombie). */
  #rmaOf(token: number): EndpointRma | undefined {
    return this.#endpoints.get(token)?.rmaState ?? this.#zombies.get(token)?.rma ?? undefined;
  }

  #connectRequest(m: Message): void {
    if (this.forwarder) return this.forwarder.connectRequest(this, m);
    const l = this.#listeners.get(m.dst.port);
    if (
      !l || !l.queueRequest({ peer: m.src, qp: Number(m.p[0]), token: Number(m.p[1]), epoch: Number(m.p[2]) })
    ) {
      // SCIF_CNCT_REJ: p0 the requester's token. Nobody listens, or the backlog is full.
      this.tryPost(SCIF_CNCT_REJ, m.dst, m.src, m.p[1]);
    }
  }

  // ---- node add and node loss (the kernel's scif_nm.c) ----

  /** Compares the node table with the incarnations adopted; drops the ones that ended and
   * adopts new ones. */
  #syncPeers(): void {
    const l = this.net.layout;
    for (let k = 0; k < this.#known.length; k++) {
      if (k === this.nodeId) continue;
      const online = this.#stateOf(k) === NODE_ONLINE;
      const epoch = this.net.load(nodeField(l, k, N_EPOCH));
      const known = this.#known[k];
      if (known !== -1 && (!online || epoch !== known)) {
        this.#peerGone(k);
        this.#known[k] = -1;
        this.net.store(releaseCell(l, this.nodeId, k), known);
      }
      if (this.#known[k] === -1 && online) {
        this.#known[k] = epoch;
        if (this.net.load(nodeField(l, k, N_WATCHABLE)) === 1) {
          this.#unwatch[k] = watch(lockName(this.net.id, k), () => this.#ended(k, epoch));
        }
      }
    }
  }

  /** The liveness lock of node k's incarnation `epoch` was released: if k did not go offline
   * itself, its thread ended and the node is lost. */
  #ended(k: number, epoch: number): void {
    const l = this.net.layout;
    if (this.net.load(nodeField(l, k, N_EPOCH)) === epoch) {
      this.net.cas(nodeField(l, k, N_STATE), NODE_ONLINE, NODE_LOST);
    }
    this.net.ringAll();
  }

  /** Node k's incarnation ended (the kernel's scif_cleanup_scifdev): reset what used it. */
  #peerGone(k: number): void {
    this.#unwatch[k]?.();
    this.#unwatch[k] = null;
    for (const ep of [...this.#endpoints.values()]) ep.nodeGone(k);
    for (const [token, z] of this.#zombies) {
      if (z.peerNode !== k) continue;
      z.rma.peerGone();
      this.#zombies.delete(token);
    }
    this.#qps.drop(k);
    this.kick();
  }

  #stateOf(k: number): number {
    return this.net.load(nodeField(this.net.layout, k, N_STATE));
  }

  #checkOpen(): void {
    if (this.#stopped) throw new ScifError("ENODEV", `node ${this.nodeId} is closed`);
  }
}

/** Takes node `nodeId`'s liveness lock, waiting briefly for a previous holder that is
 * letting go (a close in progress, a watcher that was just granted it). */
async function holdLiveness(net: EmuShared, nodeId: number): Promise<(() => void) | null> {
  const until = performance.now() + RELEASE_WAIT_MS;
  for (;;) {
    const release = await hold(lockName(net.id, nodeId));
    if (release) return release;
    if (performance.now() > until) {
      throw new ScifError("EBUSY", `node ${nodeId}'s previous thread still holds its liveness lock`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Waits until every online node has released node `nodeId`'s previous incarnation. */
async function waitForRelease(net: EmuShared, nodeId: number): Promise<void> {
  const l = net.layout;
  const previous = net.load(nodeField(l, nodeId, N_EPOCH));
  if (previous === 0) return;
  const until = performance.now() + RELEASE_WAIT_MS;
  for (;;) {
    let holder = -1;
    for (let j = 0; j < l.nodes && holder < 0; j++) {
      if (j === nodeId || net.load(nodeField(l, j, N_STATE)) !== NODE_ONLINE) continue;
      if (net.load(releaseCell(l, j, nodeId)) < previous) holder = j;
    }
    if (holder < 0) return;
    if (performance.now() > until) {
      throw new ScifError("EBUSY", `node ${holder} has not released node ${nodeId}'s previous incarnation`);
    }
    net.ring(nodeField(l, holder, N_DOORBELL));
    await new Promise((r) => setTimeout(r, 1));
  }
}
