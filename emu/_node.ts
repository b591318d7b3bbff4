// A node of the emulated network, run by the one thread that attached it: its ports, its
// endpoints, and the control protocol over its node queue pairs (the kernel's scif_nodeqp.c
// and scif_epd.c), plus liveness: a node whose thread stops beating is lost.
//
// Invariants:
// - Node k reads only rings whose reader is k and writes only rings whose writer is k, so
//   every ring has one producer thread and one consumer thread.
// - A message is written to node j's ring only while j is ONLINE; a node's attach resets
//   every ring it reads or writes, so a new incarnation never sees its predecessor's mail.
// - Messages between two nodes travel in one ring per direction, so they arrive in the order
//   sent (CNCT_GNTACK before any DISCNCT of the same endpoint, for example).
// - Every handler runs to completion between a message's peek and its release.

import { POLLNVAL, SCIF_PORT_MAX, SCIF_PORT_RSVD } from "../constants.ts";
import { ScifError } from "../errors.ts";
import type { EndpointBackend, NodeBackend } from "../_backend.ts";
import type { PortId } from "../types.ts";
import { type ConReq, EmuEndpoint } from "./_endpoint.ts";
import {
  N_DOORBELL,
  N_EPOCH,
  N_EVENT,
  N_HEARTBEAT,
  N_STATE,
  NODE_ATTACHING,
  NODE_LOST,
  NODE_OFFLINE,
  NODE_ONLINE,
  NODEQP_RING_BYTES,
  nodeField,
  nodeQp,
  PAGE,
  QP_DATA,
  QP_READ_CELL,
  QP_READER_WAITING,
  QP_RX_DESC,
  QP_TX_DESC,
  QP_WRITE_CELL,
  QP_WRITER_WAITING,
} from "./_layout.ts";
import type { EmuShared } from "./_shared.ts";
import {
  SCIF_CNCT_GNT,
  SCIF_CNCT_GNTACK,
  SCIF_CNCT_GNTNACK,
  SCIF_CNCT_REJ,
  SCIF_CNCT_REQ,
  SCIF_DISCNCT,
  SCIF_DISCNT_ACK,
} from "./_ops.ts";
import { keepAlive, sleepOn, sleepOnAny } from "./_wait.ts";
import { beat, unwatch, watch } from "./_liveness.ts";

interface Outgoing {
  op: number;
  src: PortId;
  dst: PortId;
  p: [bigint, bigint, bigint, bigint];
}

/** Resets the node queue pair whose reader is `reader` and writer is `writer`. */
export function resetNodeQp(net: EmuShared, reader: number, writer: number): void {
  const b = nodeQp(net.layout, reader, writer);
  net.u8.fill(0, b, b + QP_DATA);
  const { core } = net;
  core.rb_init(b + QP_RX_DESC, b + QP_DATA, NODEQP_RING_BYTES, b + QP_READ_CELL, b + QP_WRITE_CELL, b + QP_READER_WAITING, b + QP_WRITER_WAITING);
  core.rb_init(b + QP_TX_DESC, b + QP_DATA, NODEQP_RING_BYTES, b + QP_READ_CELL, b + QP_WRITE_CELL, b + QP_WRITER_WAITING, b + QP_READER_WAITING);
}

/** A node attached by this thread. */
export class EmuNode implements NodeBackend {
  readonly kind = "emu" as const;
  readonly nodeId: number;
  readonly net: EmuShared;
  readonly epoch: number;
  #stopped = false;
  #dispatcher: Promise<void> = Promise.resolve();
  readonly #ports = new Map<number, number>(); // port -> references
  readonly #listeners = new Map<number, EmuEndpoint>();
  readonly #endpoints = new Map<number, EmuEndpoint>(); // token -> endpoint
  #nextToken = 1;
  readonly #outbox: Outgoing[][];
  readonly #known: number[]; // per node: the epoch we hold connections under, -1 when offline
  readonly #lastBeat: number[];
  readonly #lastBeatAt: number[];
  readonly #eventCell: number;

  private constructor(net: EmuShared, nodeId: number, epoch: number) {
    this.net = net;
    this.nodeId = nodeId;
    this.epoch = epoch;
    const n = net.layout.nodes;
    this.#outbox = Array.from({ length: n }, () => []);
    this.#known = new Array(n).fill(-1);
    this.#lastBeat = new Array(n).fill(0);
    this.#lastBeatAt = new Array(n).fill(0);
    this.#eventCell = nodeField(net.layout, nodeId, N_EVENT);
  }

  /** Attaches node `nodeId` of `net` in this thread (EBUSY if attached elsewhere). */
  static attach(net: EmuShared, nodeId: number): EmuNode {
    const l = net.layout;
    if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId >= l.nodes) {
      throw new ScifError("ENODEV", `node ${nodeId} does not exist (the network has ${l.nodes})`);
    }
    const state = nodeField(l, nodeId, N_STATE) >> 2;
    let was = Atomics.compareExchange(net.i32, state, NODE_OFFLINE, NODE_ATTACHING);
    if (was === NODE_LOST) was = Atomics.compareExchange(net.i32, state, NODE_LOST, NODE_ATTACHING);
    if (was !== NODE_OFFLINE && was !== NODE_LOST) {
      throw new ScifError("EBUSY", `node ${nodeId} is already attached by another thread`);
    }
    // Whatever a lost predecessor allocated is ours to reclaim: its peers dropped it.
    net.heap.reclaim(nodeId);
    for (let j = 0; j < l.nodes; j++) {
      resetNodeQp(net, nodeId, j);
      if (j !== nodeId) resetNodeQp(net, j, nodeId);
    }
    const epoch = Atomics.add(net.i32, nodeField(l, nodeId, N_EPOCH) >> 2, 1) + 1;
    const node = new EmuNode(net, nodeId, epoch);
    Atomics.add(net.i32, nodeField(l, nodeId, N_HEARTBEAT) >> 2, 1);
    Atomics.store(net.i32, state, NODE_ONLINE);
    node.#ringAll(); // SCIF_NODE_ADD: everyone rescans the node table
    node.#dispatcher = node.#run();
    watch(node);
    return node;
  }

  // ---- NodeBackend ----

  openEndpoint(): EndpointBackend {
    this.#checkOpen();
    return this.newEndpoint();
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
        return !ep || ep.closed ? POLLNVAL : ep.pollEvents(e.events);
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
      for (const n of nodes) cells.push([n.#eventCell >> 2, Atomics.load(this.net.i32, n.#eventCell >> 2)]);
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
    if (!Number.isInteger(length) || length <= 0) throw new ScifError("EINVAL", "length must be a positive integer");
    const bytes = Math.ceil(length / PAGE) * PAGE;
    const addr = this.net.heap.alloc(bytes, this.nodeId);
    if (addr === 0) throw new ScifError("ENOMEM", `no ${bytes} bytes left in the network's shared memory`);
    return new Uint8Array(this.net.memory.buffer, addr, bytes);
  }

  async close(): Promise<void> {
    if (this.#stopped) return;
    for (const ep of [...this.#endpoints.values()]) {
      if (!ep.closed && ep.state !== "ACCEPTING") this.closeEndpoint(ep);
    }
    // Give peers a moment to acknowledge the disconnects, so that they stop writing into
    // our queue pairs before we free them.
    const until = performance.now() + 200;
    while ([...this.#endpoints.values()].some((e) => e.state === "CLOSING") && performance.now() < until) {
      await sleepOn(this.net.i32, this.#eventCell >> 2, Atomics.load(this.net.i32, this.#eventCell >> 2), 20);
    }
    for (const ep of [...this.#endpoints.values()]) ep.destroy();
    this.#stopped = true;
    unwatch(this);
    Atomics.store(this.net.i32, nodeField(this.net.layout, this.nodeId, N_STATE) >> 2, NODE_OFFLINE);
    this.#ringAll(); // SCIF_EXIT
    await keepAlive(this.#dispatcher);
  }

  // ---- services for endpoints ----

  newEndpoint(): EmuEndpoint {
    const ep = new EmuEndpoint(this, this.#nextToken++);
    this.#endpoints.set(ep.token, ep);
    return ep;
  }

  forget(ep: EmuEndpoint): void {
    this.#endpoints.delete(ep.token);
    if (this.#listeners.get(ep.localId?.port ?? -1) === ep) this.#listeners.delete(ep.localId!.port);
  }

  /** Reserves `port` (0: the lowest free port >= SCIF_PORT_RSVD). */
  reservePort(port: number): number {
    if (port === 0) {
      for (let p = SCIF_PORT_RSVD; p <= SCIF_PORT_MAX; p++) {
        if (!this.#ports.has(p)) {
          this.#ports.set(p, 1);
          return p;
        }
      }
      throw new ScifError("ENOSPC", "no free port");
    }
    if (this.#ports.has(port)) throw new ScifError("EINVAL", `port ${port} is in use`);
    this.#ports.set(port, 1);
    return port;
  }

  /** An accepted endpoint shares its listener's port: one more reference. */
  holdPort(port: number): void {
    this.#ports.set(port, (this.#ports.get(port) ?? 0) + 1);
  }

  releasePort(port: number): void {
    const refs = (this.#ports.get(port) ?? 1) - 1;
    if (refs <= 0) this.#ports.delete(port);
    else this.#ports.set(port, refs);
  }

  addListener(ep: EmuEndpoint): void {
    this.#listeners.set(ep.localId!.port, ep);
  }

  /** ENODEV unless `node` is online (and, if given, still in incarnation `epoch`). */
  checkReachable(node: number, epoch?: number): void {
    if (!Number.isInteger(node) || node < 0 || node >= this.net.layout.nodes) {
      throw new ScifError("ENODEV", `node ${node} does not exist`);
    }
    if (this.#stateOf(node) !== NODE_ONLINE || (epoch !== undefined && this.#epochOf(node) !== epoch)) {
      throw new ScifError("ENODEV", `node ${node} is not online`);
    }
  }

  /** Sleeps until something on this node changes (a message handled, a node lost). */
  async waitEvent(): Promise<void> {
    const i = this.#eventCell >> 2;
    await sleepOn(this.net.i32, i, Atomics.load(this.net.i32, i));
  }

  /** Wakes every call of this thread waiting on this node. */
  kick(): void {
    this.net.ring(this.#eventCell);
  }

  // SCIF_CNCT_REQ: p0 requester's qp block, p1 requester's token, p2 requester's epoch.
  sendConnectRequest(ep: EmuEndpoint, dst: PortId): void {
    ep.target = dst;
    this.#post(SCIF_CNCT_REQ, ep.localId!, dst, BigInt(ep.qp), BigInt(ep.token), BigInt(this.epoch));
  }

  // SCIF_CNCT_GNT: p0 acceptor's qp block, p1 requester's token, p2 acceptor's token, p3 epoch.
  sendGrant(ep: EmuEndpoint): void {
    this.#post(SCIF_CNCT_GNT, ep.localId!, ep.peerId!, BigInt(ep.qp), BigInt(ep.peerToken), BigInt(ep.token), BigInt(this.epoch));
  }

  /** scif_close, per state. */
  closeEndpoint(ep: EmuEndpoint): void {
    switch (ep.state) {
      case "LISTENING":
        this.#listeners.delete(ep.localId!.port);
        for (const req of ep.conreqs.splice(0)) this.#reject(ep.localId!, req.peer, req.token);
        ep.destroy();
        break;
      case "CONNECTED":
        // SCIF_DISCNCT: p0 the peer's token, p1 ours. The peer acknowledges; until then it may
        // still write into our queue pair, so the block lives on.
        ep.state = "CLOSING";
        if (!this.#tryPost(SCIF_DISCNCT, ep.localId!, ep.peerId!, BigInt(ep.peerToken), BigInt(ep.token))) ep.destroy();
        break;
      case "CONNECTING":
        // The grant or the rejection is still coming; the handler finishes the teardown.
        ep.state = "CLOSING";
        ep.pendingError = new ScifError("ECONNRESET", "the endpoint was closed while connecting");
        break;
      default:
        ep.destroy();
    }
    ep.wake();
    this.kick();
  }

  // ---- the control protocol ----

  async #run(): Promise<void> {
    const i32 = this.net.i32;
    const db = nodeField(this.net.layout, this.nodeId, N_DOORBELL) >> 2;
    while (!this.#stopped) {
      const seen = Atomics.load(i32, db);
      this.#drain();
      this.syncPeers();
      const backlog = this.#flush();
      if (this.#stopped) break;
      if (Atomics.load(i32, db) !== seen) continue;
      await sleepOn(i32, db, seen, backlog ? 1 : Infinity, false);
    }
  }

  #drain(): void {
    const { core, layout } = this.net;
    for (let j = 0; j < layout.nodes; j++) {
      const rx = nodeQp(layout, this.nodeId, j) + QP_RX_DESC;
      for (let at = core.msg_peek(rx); at !== 0; at = core.msg_peek(rx)) {
        try {
          this.#handle(at);
        } catch (e) {
          console.error(`scif emu node ${this.nodeId}: message ${core.msg_op(at)} from ${j}:`, e);
        }
        core.msg_release(rx);
      }
    }
  }

  #handle(at: number): void {
    const core = this.net.core;
    const op = core.msg_op(at);
    const src: PortId = { node: core.msg_src_node(at), port: core.msg_src_port(at) };
    const dstPort = core.msg_dst_port(at);
    const p0 = Number(core.msg_payload(at, 0));
    const p1 = Number(core.msg_payload(at, 1));
    const p2 = Number(core.msg_payload(at, 2));
    const p3 = Number(core.msg_payload(at, 3));
    switch (op) {
      case SCIF_CNCT_REQ: {
        const l = this.#listeners.get(dstPort);
        if (!l || l.state !== "LISTENING" || l.conreqs.length >= l.backlog) {
          this.#reject({ node: this.nodeId, port: dstPort }, src, p1);
          return;
        }
        const req: ConReq = { peer: src, qp: p0, token: p1, epoch: p2 };
        l.conreqs.push(req);
        break;
      }
      case SCIF_CNCT_GNT: {
        const ep = this.#endpoints.get(p1);
        const self = { node: this.nodeId, port: dstPort };
        if (!ep || ep.state !== "CONNECTING") {
          this.#tryPost(SCIF_CNCT_GNTNACK, self, src, BigInt(p2));
          if (ep?.state === "CLOSING" && ep.peerId === null) ep.destroy();
          return;
        }
        ep.attachPeerQp(p0);
        ep.peerId = src;
        ep.peerToken = p2;
        ep.peerEpoch = p3;
        ep.state = "CONNECTED";
        this.#known[src.node] = p3;
        this.#tryPost(SCIF_CNCT_GNTACK, self, src, BigInt(p2));
        break;
      }
      case SCIF_CNCT_GNTACK:
      case SCIF_CNCT_GNTNACK: {
        const ep = this.#endpoints.get(p0);
        if (!ep || ep.state !== "ACCEPTING") return;
        if (op === SCIF_CNCT_GNTACK) {
          ep.state = "CONNECTED";
          this.#known[src.node] = ep.peerEpoch;
        } else {
          ep.state = "BOUND";
          ep.pendingError = new ScifError("ECONNRESET", "the requester closed before the grant");
        }
        break;
      }
      case SCIF_CNCT_REJ: {
        const ep = this.#endpoints.get(p0);
        if (ep?.state === "CONNECTING") {
          ep.state = "BOUND";
          ep.pendingError = new ScifError("ECONNREFUSED", `nothing accepts on ${src.node}:${src.port}`);
        } else if (ep?.state === "CLOSING" && ep.peerId === null) ep.destroy();
        break;
      }
      case SCIF_DISCNCT: {
        const ep = this.#endpoints.get(p0);
        if (ep && ep.peerToken === p1 && ep.peerId?.node === src.node && ep.state === "CONNECTED") {
          ep.state = "DISCONNECTED";
          ep.wake();
        }
        // Always acknowledge: the closer frees its queue pair on the ack.
        this.#tryPost(SCIF_DISCNT_ACK, { node: this.nodeId, port: dstPort }, src, BigInt(p1));
        break;
      }
      case SCIF_DISCNT_ACK: {
        const ep = this.#endpoints.get(p0);
        if (ep?.state === "CLOSING") ep.destroy();
        break;
      }
      default:
        return;
    }
    this.kick();
  }

  // SCIF_CNCT_REJ: p0 the requester's token.
  #reject(self: PortId, peer: PortId, token: number): void {
    this.#tryPost(SCIF_CNCT_REJ, self, peer, BigInt(token));
  }

  /** Queues a message for `dst.node`; ENODEV when that node is not online. */
  #post(op: number, src: PortId, dst: PortId, p0 = 0n, p1 = 0n, p2 = 0n, p3 = 0n): void {
    if (!this.#tryPost(op, src, dst, p0, p1, p2, p3)) {
      throw new ScifError("ENODEV", `node ${dst.node} is not online`);
    }
  }

  /** Queues a message; false when the destination node is not online. */
  #tryPost(op: number, src: PortId, dst: PortId, p0 = 0n, p1 = 0n, p2 = 0n, p3 = 0n): boolean {
    if (this.#stopped || this.#stateOf(dst.node) !== NODE_ONLINE) return false;
    const box = this.#outbox[dst.node];
    box.push({ op, src, dst, p: [p0, p1, p2, p3] });
    if (box.length === 1) this.#flushTo(dst.node);
    if (box.length > 0) this.net.ring(nodeField(this.net.layout, this.nodeId, N_DOORBELL)); // retry soon
    return true;
  }

  /** Moves queued messages into the node queue pairs. True while some could not go yet. */
  #flush(): boolean {
    let left = false;
    for (let j = 0; j < this.#outbox.length; j++) {
      if (this.#outbox[j].length > 0 && this.#flushTo(j) > 0) left = true;
    }
    return left;
  }

  #flushTo(j: number): number {
    const box = this.#outbox[j];
    if (this.#stateOf(j) !== NODE_ONLINE) {
      box.length = 0;
      return 0;
    }
    const { core, layout } = this.net;
    const tx = nodeQp(layout, j, this.nodeId) + QP_TX_DESC;
    let sent = 0;
    while (sent < box.length) {
      const m = box[sent];
      if (core.msg_send(tx, m.src.node, m.src.port, m.dst.node, m.dst.port, m.op, m.p[0], m.p[1], m.p[2], m.p[3]) === 0) break;
      sent++;
    }
    if (sent > 0) {
      box.splice(0, sent);
      this.net.ring(nodeField(layout, j, N_DOORBELL));
    }
    return box.length;
  }

  // ---- liveness (the kernel's node add / node remove) ----

  /** Called by the liveness timer: beat, and look for peers that stopped beating. */
  tick(now: number): void {
    if (this.#stopped) return;
    const { i32, layout, lossTimeoutMs } = this.net;
    beat(i32, nodeField(layout, this.nodeId, N_HEARTBEAT));
    for (let k = 0; k < layout.nodes; k++) {
      if (k === this.nodeId || this.#stateOf(k) !== NODE_ONLINE) continue;
      const hb = Atomics.load(i32, nodeField(layout, k, N_HEARTBEAT) >> 2);
      if (hb !== this.#lastBeat[k] || this.#lastBeatAt[k] === 0) {
        this.#lastBeat[k] = hb;
        this.#lastBeatAt[k] = now;
      } else if (now - this.#lastBeatAt[k] > lossTimeoutMs) {
        const cell = nodeField(layout, k, N_STATE) >> 2;
        if (Atomics.compareExchange(i32, cell, NODE_ONLINE, NODE_LOST) === NODE_ONLINE) this.#ringAll();
      }
    }
    this.syncPeers();
  }

  /** Compares the node table with what our connections assume; cleans up after lost nodes. */
  syncPeers(): void {
    for (let k = 0; k < this.#known.length; k++) {
      const online = this.#stateOf(k) === NODE_ONLINE;
      const epoch = this.#epochOf(k);
      if (k !== this.nodeId && this.#known[k] !== -1 && (!online || epoch !== this.#known[k])) this.#peerGone(k);
      this.#known[k] = online ? epoch : -1;
      if (!online) this.#lastBeatAt[k] = 0;
    }
  }

  /** Node k is gone (the kernel's scif_cleanup_scifdev): reset what depended on it. */
  #peerGone(k: number): void {
    const lost = () => new ScifError("ENODEV", `node ${k} was lost`);
    for (const ep of [...this.#endpoints.values()]) {
      const peerNode = ep.peerId?.node ?? ep.target?.node;
      if (ep.state === "LISTENING") {
        ep.conreqs.splice(0, ep.conreqs.length, ...ep.conreqs.filter((r) => r.peer.node !== k));
        continue;
      }
      if (peerNode !== k) continue;
      switch (ep.state) {
        case "CONNECTED":
          ep.state = "DISCONNECTED";
          break;
        case "CONNECTING":
        case "ACCEPTING":
          ep.state = "BOUND";
          ep.pendingError = lost();
          break;
        case "CLOSING":
          ep.destroy();
          break;
      }
      ep.wake();
    }
    this.#outbox[k].length = 0;
    this.kick();
  }

  #stateOf(k: number): number {
    return Atomics.load(this.net.i32, nodeField(this.net.layout, k, N_STATE) >> 2);
  }

  #epochOf(k: number): number {
    return Atomics.load(this.net.i32, nodeField(this.net.layout, k, N_EPOCH) >> 2);
  }

  /** Rings every node's doorbell so each rescans the node table. */
  #ringAll(): void {
    for (let k = 0; k < this.net.layout.nodes; k++) this.net.ring(nodeField(this.net.layout, k, N_DOORBELL));
  }

  #checkOpen(): void {
    if (this.#stopped) throw new ScifError("ENODEV", `node ${this.nodeId} is closed`);
  }
}
