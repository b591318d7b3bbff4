// An endpoint of the emulated network: the kernel's endpoint state machine (scif_epd.h)
// and the byte stream over the endpoint queue pair.
//
// Invariants:
// - Only the node's own thread touches an endpoint, so its JS state needs no locking; the
//   peer reaches it through the queue pair (bytes) and control messages (state).
// - An endpoint owns one qp block (emu/_layout.ts) from connect/accept until the peer has
//   acknowledged the disconnect (or is gone): the peer may write into it until then.
// - A byte the writer committed before sending SCIF_DISCNCT is in our ring before we see the
//   disconnect (both go through sequentially consistent stores), so recv drains the ring
//   before it reports ECONNRESET and nothing sent is lost.

import { POLLERR, POLLHUP, POLLIN, POLLOUT, SCIF_ADMIN_PORT_END } from "../constants.ts";
import { ScifError } from "../errors.ts";
import type { EndpointBackend } from "../_backend.ts";
import type { PortId } from "../types.ts";
import {
  PAGE,
  QP_DATA,
  QP_READ_CELL,
  QP_READER_WAITING,
  QP_RX_DESC,
  QP_TX_DESC,
  QP_WRITE_CELL,
  QP_WRITER_WAITING,
} from "./_layout.ts";
import { sleepOn } from "./_wait.ts";
import type { EmuNode } from "./_node.ts";

/** The kernel's endpoint states (SCIFEP_*), less the ones only RMA teardown uses. */
export type EpState =
  | "UNBOUND"
  | "BOUND"
  | "LISTENING"
  | "CONNECTING"
  | "ACCEPTING" // an accepted endpoint between CNCT_GNT and CNCT_GNTACK
  | "CONNECTED"
  | "DISCONNECTED" // the peer closed or its node was lost
  | "CLOSING" // closed by the user, waiting for SCIF_DISCNT_ACK
  | "CLOSED";

/** A connection request queued on a listener (the kernel's conreq). */
export interface ConReq {
  readonly peer: PortId;
  readonly qp: number;
  readonly token: number;
  readonly epoch: number;
}

const SMALL = 64; // at or below this many bytes a JS loop beats subarray()+set()
// core-as/rb.ts packs offset * 2^27 + count into one number; both are below 2^26, so the
// offset is the integer part of r / PACK (truncation, not a float modulo, which costs a call).
const PACK = 134217728;

/** One endpoint of an emulated node. */
export class EmuEndpoint implements EndpointBackend {
  readonly node: EmuNode;
  readonly token: number;
  state: EpState = "UNBOUND";
  localId: PortId | null = null;
  peerId: PortId | null = null;
  /** The peer endpoint's token and its node's epoch, once connected. */
  peerToken = 0;
  /** Where a connect is headed, while CONNECTING. */
  target: PortId | null = null;
  peerEpoch = 0;
  /** Listener only. */
  backlog = 0;
  readonly conreqs: ConReq[] = [];
  /** Connect/accept outcome while CONNECTING/ACCEPTING. */
  pendingError: ScifError | null = null;

  // The queue pair. Addresses are byte offsets into the shared memory.
  qp = 0;
  #rx = 0; // our reader descriptor
  #tx = 0; // our writer descriptor
  #rxBase = 0;
  #txBase = 0;
  #ringMask = 0;
  #rxWriteCell = 0; // in our block: the peer publishes its writes here; we sleep on it
  #txReadCell = 0; // in our block: the peer publishes its reads here; we sleep on it
  #txWriteCell = 0; // in the peer's block: we publish our writes there and notify it
  #rxReadCell = 0; // in the peer's block: we publish our reads there and notify it

  constructor(node: EmuNode, token: number) {
    this.node = node;
    this.token = token;
  }

  get closed(): boolean {
    return this.state === "CLOSING" || this.state === "CLOSED";
  }

  // ---- connection management (scif_bind, scif_listen, scif_connect, scif_accept) ----

  bind(port: number): number {
    if (this.state === "LISTENING" || this.state === "CONNECTED" || this.state === "CONNECTING") {
      throw new ScifError("EISCONN", "the endpoint is listening or connected");
    }
    if (this.state !== "UNBOUND") throw new ScifError("EINVAL", "the endpoint is already bound");
    if (port !== 0 && port < SCIF_ADMIN_PORT_END && !this.node.net.privileged) {
      throw new ScifError("EACCES", `port ${port} is below SCIF_ADMIN_PORT_END and the node is not privileged`);
    }
    const bound = this.node.reservePort(port);
    this.localId = { node: this.node.nodeId, port: bound };
    this.state = "BOUND";
    return bound;
  }

  listen(backlog: number): void {
    if (this.state === "LISTENING" || this.state === "CONNECTED" || this.state === "CONNECTING") {
      throw new ScifError("EISCONN", "the endpoint is already listening or connected");
    }
    if (this.state !== "BOUND") throw new ScifError("EINVAL", "listen on an unbound endpoint");
    this.backlog = backlog;
    this.state = "LISTENING";
    this.node.addListener(this);
  }

  async connect(dst: PortId): Promise<PortId> {
    switch (this.state) {
      case "CONNECTED":
      case "DISCONNECTED":
        throw new ScifError("EISCONN", "the endpoint is already connected");
      case "LISTENING":
        throw new ScifError("EOPNOTSUPP", "connect on a listening endpoint");
      case "CONNECTING":
        throw new ScifError("EALREADY", "a connect is already in progress");
    }
    this.node.checkReachable(dst.node);
    if (this.state === "UNBOUND") this.bind(0);
    this.#allocQp();
    this.state = "CONNECTING";
    this.pendingError = null;
    try {
      this.node.sendConnectRequest(this, dst);
      while (this.state === "CONNECTING") await this.node.waitEvent();
      if (this.state !== "CONNECTED") throw this.pendingError ?? new ScifError("ECONNRESET");
      return this.localId!;
    } catch (e) {
      if (this.state === "CONNECTING") this.state = "BOUND";
      if (this.state === "BOUND") this.releaseQp();
      throw e;
    }
  }

  async accept(block: boolean): Promise<EndpointBackend> {
    if (this.state !== "LISTENING") throw new ScifError("EINVAL", "accept on an endpoint that is not listening");
    for (;;) {
      while (this.conreqs.length === 0) {
        if (!block) throw new ScifError("EAGAIN", "no connection request is pending");
        await this.node.waitEvent();
        if (this.state !== "LISTENING") throw new ScifError("EINVAL", "the listener was closed");
      }
      const req = this.conreqs.shift()!;
      const ep = this.node.newEndpoint();
      ep.localId = { node: this.node.nodeId, port: this.localId!.port };
      this.node.holdPort(this.localId!.port);
      ep.state = "ACCEPTING";
      ep.peerId = req.peer;
      ep.peerToken = req.token;
      ep.peerEpoch = req.epoch;
      try {
        this.node.checkReachable(req.peer.node, req.epoch);
        ep.#allocQp();
        ep.attachPeerQp(req.qp);
        this.node.sendGrant(ep);
        while (ep.state === "ACCEPTING") await this.node.waitEvent();
      } catch (e) {
        ep.pendingError = e as ScifError;
      }
      if ((ep.state as EpState) === "CONNECTED") return ep;
      // The requester is gone or said no (SCIF_CNCT_GNTNACK). The kernel retries the next
      // request when it may wait, and reports the failure otherwise.
      const err = ep.pendingError ?? new ScifError("ECONNRESET", "the requester closed");
      ep.destroy();
      if (!block) throw err;
    }
  }

  // ---- the queue pair ----

  #allocQp(): void {
    const net = this.node.net;
    const bytes = QP_DATA + net.layout.ringBytes;
    const qp = net.heap.alloc(bytes, this.node.nodeId);
    if (qp === 0) throw new ScifError("ENOMEM", "no shared memory left for an endpoint queue pair");
    this.qp = qp;
  }

  /** Builds both views of the queue pair once the peer's block is known (see _layout.ts). */
  attachPeerQp(peerQp: number): void {
    const { core, layout } = this.node.net;
    const own = this.qp;
    const size = layout.ringBytes;
    this.#rx = own + QP_RX_DESC;
    this.#tx = own + QP_TX_DESC;
    core.rb_init(this.#rx, own + QP_DATA, size, peerQp + QP_READ_CELL, own + QP_WRITE_CELL, peerQp + QP_READER_WAITING, own + QP_WRITER_WAITING);
    core.rb_init(this.#tx, peerQp + QP_DATA, size, own + QP_READ_CELL, peerQp + QP_WRITE_CELL, peerQp + QP_WRITER_WAITING, own + QP_READER_WAITING);
    this.#rxBase = own + QP_DATA;
    this.#txBase = peerQp + QP_DATA;
    this.#ringMask = size - 1;
    this.#rxWriteCell = own + QP_WRITE_CELL;
    this.#txReadCell = own + QP_READ_CELL;
    this.#txWriteCell = peerQp + QP_WRITE_CELL;
    this.#rxReadCell = peerQp + QP_READ_CELL;
  }

  /** Frees the qp block (the peer can no longer write into it). */
  releaseQp(): void {
    if (this.qp !== 0) this.node.net.heap.free(this.qp);
    this.qp = 0;
    this.#rx = this.#tx = 0;
  }

  /** Wakes every call of this thread sleeping on this endpoint's cells (a state change). */
  wake(): void {
    const i32 = this.node.net.i32;
    if (this.qp !== 0) {
      Atomics.notify(i32, this.#rxWriteCell >> 2);
      Atomics.notify(i32, this.#txReadCell >> 2);
    }
  }

  // ---- messaging (scif_send, scif_recv) ----

  #checkStream(): void {
    if (this.state === "CONNECTED") return;
    if (this.state === "DISCONNECTED") throw new ScifError("ECONNRESET", "the peer closed the connection");
    if (this.closed) throw new ScifError("ECONNRESET", "the endpoint was closed during the call");
    throw new ScifError("ENOTCONN", "the endpoint is not connected");
  }

  /** Copies what fits of data[from..] into the peer's ring and publishes it. */
  #put(data: Uint8Array, from: number): number {
    const core = this.node.net.core;
    const want = data.length - from;
    const r = core.rb_reserve(this.#tx, want);
    const off = (r / PACK) | 0;
    const space = r - off * PACK;
    const n = space < want ? space : want;
    if (n === 0) return 0;
    const u8 = this.node.net.u8;
    const tail = this.#ringMask + 1 - off;
    const first = n < tail ? n : tail;
    const at = this.#txBase + off;
    if (n <= SMALL) {
      for (let i = 0; i < first; i++) u8[at + i] = data[from + i];
      for (let i = first; i < n; i++) u8[this.#txBase + i - first] = data[from + i];
    } else {
      u8.set(data.subarray(from, from + first), at);
      if (first < n) u8.set(data.subarray(from + first, from + n), this.#txBase);
    }
    if (core.rb_commit_n(this.#tx, n)) Atomics.notify(this.node.net.i32, this.#txWriteCell >> 2);
    return n;
  }

  /** Copies what is available (spinning up to `spins` for it) into into[from..] and publishes
   * the consumption. */
  #take(into: Uint8Array, from: number, spins: number): number {
    const core = this.node.net.core;
    const r = core.rb_peek(this.#rx, spins);
    const off = (r / PACK) | 0;
    const count = r - off * PACK;
    if (count === 0) return 0;
    const want = into.length - from;
    const n = count < want ? count : want;
    const u8 = this.node.net.u8;
    const tail = this.#ringMask + 1 - off;
    const first = n < tail ? n : tail;
    const at = this.#rxBase + off;
    if (n <= SMALL) {
      for (let i = 0; i < first; i++) into[from + i] = u8[at + i];
      for (let i = first; i < n; i++) into[from + i] = u8[this.#rxBase + i - first];
    } else {
      into.set(u8.subarray(at, at + first), from);
      if (first < n) into.set(u8.subarray(this.#rxBase, this.#rxBase + n - first), from + first);
    }
    if (core.rb_release(this.#rx, n)) Atomics.notify(this.node.net.i32, this.#rxReadCell >> 2);
    return n;
  }

  async send(data: Uint8Array, block: boolean): Promise<number> {
    if (this.state !== "CONNECTED") this.#checkStream();
    const len = data.length;
    let done = this.#put(data, 0);
    if (done === len || !block) return done;
    const { core, i32, spins } = this.node.net;
    while (done < len) {
      if (core.rb_spin_space(this.#tx, 1, spins) === 0) {
        core.rb_set_waiting(this.#tx, 1);
        const seen = Atomics.load(i32, this.#txReadCell >> 2);
        if (core.rb_space(this.#tx) === 0 && this.state === "CONNECTED") await sleepOn(i32, this.#txReadCell >> 2, seen);
        if (this.qp !== 0) core.rb_set_waiting(this.#tx, 0);
      }
      if (this.state !== "CONNECTED") {
        if (done > 0 && this.state === "DISCONNECTED") return done;
        this.#checkStream();
      }
      done += this.#put(data, done);
    }
    return done;
  }

  async recv(into: Uint8Array, block: boolean): Promise<number> {
    if (this.state !== "CONNECTED" && this.state !== "DISCONNECTED") this.#checkStream();
    const len = into.length;
    const spins = block ? this.node.net.spins : 0;
    let got = 0;
    while (got < len && this.qp !== 0) {
      const n = this.#take(into, got, this.state === "CONNECTED" ? spins : 0);
      got += n;
      if (n > 0) continue;
      // Empty. After a disconnect everything the peer committed is already here: done.
      if (this.state !== "CONNECTED" || !block) break;
      await this.#sleepForData();
    }
    if (got === 0 && len > 0) this.#checkStream();
    return got;
  }

  async #sleepForData(): Promise<void> {
    const { core, i32 } = this.node.net;
    core.rb_set_waiting(this.#rx, 1);
    const seen = Atomics.load(i32, this.#rxWriteCell >> 2);
    if (core.rb_count(this.#rx) === 0 && this.state === "CONNECTED") await sleepOn(i32, this.#rxWriteCell >> 2, seen);
    if (this.qp !== 0) core.rb_set_waiting(this.#rx, 0);
  }

  /** Cells a poll sleeps on for this endpoint, with the values seen now. Announces the wait
   * to the peer first, so a write or read after the look cannot go unnotified. */
  pollCells(events: number): [number, number][] {
    if (this.qp === 0 || (this.state !== "CONNECTED")) return [];
    const { core, i32 } = this.node.net;
    const cells: [number, number][] = [];
    if (events & POLLIN) {
      core.rb_set_waiting(this.#rx, 1);
      cells.push([this.#rxWriteCell >> 2, Atomics.load(i32, this.#rxWriteCell >> 2)]);
    }
    if (events & POLLOUT) {
      core.rb_set_waiting(this.#tx, 1);
      cells.push([this.#txReadCell >> 2, Atomics.load(i32, this.#txReadCell >> 2)]);
    }
    return cells;
  }

  /** Withdraws the announcements of pollCells. */
  pollDone(): void {
    if (this.qp === 0 || this.#rx === 0) return;
    const core = this.node.net.core;
    core.rb_set_waiting(this.#rx, 0);
    core.rb_set_waiting(this.#tx, 0);
  }

  pollEvents(events: number): number {
    const core = this.node.net.core;
    switch (this.state) {
      case "LISTENING":
        return this.conreqs.length > 0 ? events & POLLIN : 0;
      case "CONNECTING":
      case "ACCEPTING":
        return 0;
      case "CONNECTED":
      case "DISCONNECTED": {
        let mask = 0;
        if (core.rb_count(this.#rx) > 0) mask |= POLLIN;
        if (this.state === "CONNECTED" && core.rb_space(this.#tx) > 0) mask |= POLLOUT;
        if (this.state === "DISCONNECTED") mask |= POLLHUP;
        return mask & (events | POLLHUP);
      }
      default:
        return POLLERR;
    }
  }

  // ---- teardown (scif_close) ----

  close(): void {
    if (this.closed) throw new ScifError("EBADF", "the endpoint is closed");
    this.node.closeEndpoint(this);
  }

  /** Forgets the endpoint entirely: port, qp, table entry. */
  destroy(): void {
    if (this.state === "CLOSED") return;
    this.state = "CLOSED";
    this.wake();
    this.releaseQp();
    if (this.localId) this.node.releasePort(this.localId.port);
    this.node.forget(this);
    this.localId = null;
  }
}

/** Rounds a ring request to the page multiple the heap hands out (for memory accounting). */
export function qpBytes(ringBytes: number): number {
  return Math.ceil((QP_DATA + ringBytes) / PAGE) * PAGE;
}
