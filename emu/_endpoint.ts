// An endpoint of the emulated network: the kernel's endpoint state machine (scif_epd.h,
// scif_api.c) with its errno rules, over an endpoint queue pair (emu/_qp.ts).
//
// Invariants:
// - Only the node's own thread touches an endpoint, so its JS state needs no locking; the
//   peer reaches it through the queue pair (bytes) and control messages (state).
// - An endpoint owns its queue pair block from connect/accept until the peer can no longer
//   write into it: the peer acknowledged our disconnect, or said no to our grant, or its
//   incarnation ended. Once our state leaves CONNECTED we store nothing into the peer's block.
// - Bytes the peer committed before it sent SCIF_DISCNCT are in our ring before we handle
//   the disconnect (both are published with sequentially consistent stores, in that order),
//   so recv drains the ring before it reports ECONNRESET and nothing sent is lost.

import {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  SCIF_ADMIN_PORT_END,
  SCIF_FENCE_INIT_PEER,
  SCIF_FENCE_INIT_SELF,
  SCIF_SIGNAL_LOCAL,
  SCIF_SIGNAL_REMOTE,
} from "../constants.ts";
import { ScifError } from "../errors.ts";
import type { EndpointBackend } from "../_backend.ts";
import type { PortId } from "../types.ts";
import type { EmuNode } from "./_node.ts";
import { SCIF_CNCT_GNT, SCIF_CNCT_GNTACK, SCIF_CNCT_REJ, SCIF_CNCT_REQ, SCIF_DISCNCT } from "./_ops.ts";
import { EndpointQp } from "./_qp.ts";
import { type DirectPipe, findPipe } from "./_direct.ts";
import { waitCompleted } from "./_dma.ts";
import { N_DMA_SUBMITTED, nodeField } from "./_layout.ts";
import { EndpointRma } from "./_rma.ts";

const MARK_PEER = 0x80000000; // a fence mark of the peer's RMAs (the kernel's SCIF_REMOTE_FENCE bit)
const SEQ = 0x7fffffff;

// Settled promises of the counts small sends and receives return, made once: a settled
// promise is immutable, and making one per call is a measurable part of a small message.
const RESOLVED_COUNTS = Array.from({ length: 257 }, (_, n) => Promise.resolve(n));
function resolvedCount(n: number): Promise<number> {
  return n <= 256 ? RESOLVED_COUNTS[n] : Promise.resolve(n);
}

/** The kernel's endpoint states (SCIFEP_*), as far as user space can tell them apart. */
export type EpState =
  | "UNBOUND"
  | "BOUND"
  | "LISTENING"
  | "CONNECTING"
  | "ACCEPTING" // an accepted endpoint between CNCT_GNT and CNCT_GNTACK, not yet the user's
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

/** One endpoint of an emulated node. */
export class EmuEndpoint implements EndpointBackend {
  readonly node: EmuNode;
  readonly token: number;
  state: EpState = "UNBOUND";
  localId: PortId | null = null;
  peerId: PortId | null = null;
  /** The peer endpoint's token, once connected. */
  peerToken = 0;
  #qp: EndpointQp | null = null;
  #target = -1; // the node a connect or an accept is talking to
  #backlog = 0;
  readonly #conreqs: ConReq[] = [];
  #error: ScifError | null = null; // why a connect or an accept-side handshake failed
  #peerEpoch = -1; // the incarnation of the peer's node we are connected to
  #rma: EndpointRma | null = null;
  #spins: number;
  #portReleased = false;
  #direct: DirectPipe | null = null; // see #takeDirect

  constructor(node: EmuNode, token: number) {
    this.node = node;
    this.token = token;
    this.#spins = node.net.spins;
  }

  get closed(): boolean {
    return this.state === "CLOSING" || this.state === "CLOSED";
  }

  // ---- scif_bind, scif_listen ----

  bind(port: number): number {
    if (port !== 0 && port < SCIF_ADMIN_PORT_END && !this.node.net.privileged) {
      throw new ScifError(
        "EACCES",
        `port ${port} is below SCIF_ADMIN_PORT_END and the network is not privileged`,
      );
    }
    if (this.state === "BOUND") throw new ScifError("EINVAL", "the endpoint is already bound");
    if (this.state !== "UNBOUND") throw new ScifError("EISCONN", `bind in state ${this.state}`);
    const bound = port === 0 ? this.node.ports.allocate() : this.node.ports.reserve(port);
    this.localId = { node: this.node.nodeId, port: bound };
    this.state = "BOUND";
    return bound;
  }

  listen(backlog: number): void {
    switch (this.state) {
      case "BOUND":
        this.#backlog = backlog;
        this.state = "LISTENING";
        this.node.addListener(this);
        return;
      case "LISTENING":
      case "CONNECTED":
      case "CONNECTING":
        throw new ScifError("EISCONN", `listen in state ${this.state}`);
      default:
        throw new ScifError("EINVAL", `listen in state ${this.state}`);
    }
  }

  // ---- scif_connect ----

  async connect(dst: PortId): Promise<PortId> {
    this.node.checkReachable(dst.node);
    switch (this.state) {
      case "LISTENING":
        throw new ScifError("EOPNOTSUPP", "connect on a listening endpoint");
      case "CONNECTING":
      case "CONNECTED":
        throw new ScifError("EISCONN", `connect in state ${this.state}`);
      case "DISCONNECTED":
        throw new ScifError("EINVAL", "connect on a disconnected endpoint");
      case "UNBOUND":
        this.bind(0);
    }
    this.#qp = EndpointQp.alloc(this.node.net, this.node.nodeId);
    this.state = "CONNECTING";
    this.#target = dst.node;
    this.#error = null;
    try {
      // SCIF_CNCT_REQ: p0 our qp block, p1 our token, p2 our node's incarnation.
      this.node.post(
        SCIF_CNCT_REQ,
        this.localId!,
        dst,
        BigInt(this.#qp.block),
        BigInt(this.token),
        BigInt(this.node.epoch),
      );
      const until = performance.now() + this.node.net.connectTimeoutMs;
      while (this.state === "CONNECTING") {
        const left = until - performance.now();
        if (left <= 0) {
          // The kernel gives up after SCIF_NODE_ALIVE_TIMEOUT and reports the refusal.
          this.#error = new ScifError("ECONNREFUSED", `no answer from ${dst.node}:${dst.port}`);
          break;
        }
        await this.node.waitEvent(left);
      }
    } catch (e) {
      this.#error = e as ScifError;
    }
    const state = this.state as EpState; // handlers changed it meanwhile
    if (state === "CONNECTED") return this.localId!;
    if (state === "CONNECTING") this.#unconnect();
    if (this.closed) throw new ScifError("EINTR", "the endpoint was closed while connecting");
    throw this.#error ?? new ScifError("ECONNREFUSED", `${dst.node}:${dst.port} refused the connection`);
  }

  /** Back to BOUND after a failed connect; nobody references our block. */
  #unconnect(): void {
    this.state = "BOUND";
    this.#qp?.free();
    this.#qp = null;
  }

  /** SCIF_CNCT_GNT for our connect. Returns false when we no longer want it (the caller NACKs). */
  granted(from: PortId, peerQp: number, peerToken: number): boolean {
    if (this.state !== "CONNECTING" || from.node !== this.#target) return false;
    this.#qp!.attach(peerQp, this.node.doorbellOf(from.node));
    this.peerId = from;
    this.peerToken = peerToken;
    this.#peerEpoch = this.node.knownEpoch(from.node);
    this.#connected();
    // SCIF_CNCT_GNTACK: p0 the acceptor's token.
    if (!this.node.tryPost(SCIF_CNCT_GNTACK, this.localId!, from, BigInt(peerToken))) this.#peerLeft();
    return true;
  }

  #connected(): void {
    this.state = "CONNECTED";
    // A peer in another process answers through a socket that this thread's event loop may
    // be serving: spinning would only delay it.
    if (this.node.isRemote(this.peerId!.node)) this.#spins = 0;
    this.#rma = new EndpointRma({
      node: this.node,
      token: this.token,
      localId: this.localId!,
      peer: () =>
        this.peerId && this.node.knownEpoch(this.peerId.node) === this.#peerEpoch
          ? { id: this.peerId, token: this.peerToken }
          : null,
    });
  }

  /** The RMA state, for the node's routing of window messages. */
  get rmaState(): EndpointRma | null {
    return this.#rma;
  }

  /** SCIF_CNCT_REJ for our connect. */
  rejected(from: PortId): void {
    if (this.state !== "CONNECTING" || from.node !== this.#target) return;
    this.#error = new ScifError("ECONNREFUSED", `nothing accepts connections on ${from.node}:${from.port}`);
    this.#unconnect();
  }

  /** For a bridge (emu/_bridge.ts): binds `port` whatever its range, sharing it when it is
   * taken (a stand-in's ports belong to another process's node, which checked them). */
  bindProxy(port: number): void {
    if (this.state !== "UNBOUND") throw new ScifError("EISCONN", `bind in state ${this.state}`);
    try {
      this.node.ports.reserve(port);
    } catch {
      this.node.ports.hold(port);
    }
    this.localId = { node: this.node.nodeId, port };
    this.state = "BOUND";
  }

  /** For a bridge: refuses the oldest pending connection request (SCIF_CNCT_REJ). */
  rejectOldest(): void {
    const req = this.#conreqs.shift();
    if (req) this.node.tryPost(SCIF_CNCT_REJ, this.localId!, req.peer, BigInt(req.token));
  }

  // ---- scif_accept ----

  /** A connection request arrived for this listener; false when it must be refused. */
  queueRequest(req: ConReq): boolean {
    if (this.state !== "LISTENING" || this.#conreqs.length >= this.#backlog) return false;
    this.#conreqs.push(req);
    return true;
  }

  async accept(block: boolean): Promise<EndpointBackend> {
    if (this.state !== "LISTENING") throw new ScifError("EINVAL", `accept in state ${this.state}`);
    for (;;) {
      while (this.#conreqs.length === 0) {
        if (!block) throw new ScifError("EAGAIN", "no connection request is pending");
        await this.node.waitEvent();
        if (this.state !== "LISTENING") throw new ScifError("EINTR", "the listener was closed");
      }
      const req = this.#conreqs.shift()!;
      const ep = this.node.acceptedEndpoint(this);
      try {
        await ep.#handshake(req);
        return ep;
      } catch (e) {
        ep.#destroy();
        // A requester that said no (SCIF_CNCT_GNTNACK): a blocking accept takes the next one.
        if (!(e instanceof ScifError && e.code === "EAGAIN" && block)) throw e;
      }
    }
  }

  /** The accept side of the handshake, on the new endpoint. */
  async #handshake(req: ConReq): Promise<void> {
    this.node.checkReachable(req.peer.node, req.epoch);
    this.state = "ACCEPTING";
    this.peerId = req.peer;
    this.peerToken = req.token;
    this.#peerEpoch = req.epoch;
    this.#target = req.peer.node;
    try {
      this.#qp = EndpointQp.alloc(this.node.net, this.node.nodeId);
    } catch (e) {
      this.node.tryPost(SCIF_CNCT_REJ, this.localId!, req.peer, BigInt(req.token));
      throw e;
    }
    this.#qp.attach(req.qp, this.node.doorbellOf(req.peer.node));
    // SCIF_CNCT_GNT: p0 our qp block, p1 the requester's token, p2 our token.
    this.node.post(
      SCIF_CNCT_GNT,
      this.localId!,
      req.peer,
      BigInt(this.#qp.block),
      BigInt(req.token),
      BigInt(this.token),
    );
    while (this.state === "ACCEPTING") await this.node.waitEvent();
    if (this.state === "CONNECTED") return;
    throw this.#error ?? new ScifError("EINTR", "the node was closed during accept");
  }

  /** SCIF_CNCT_GNTACK / SCIF_CNCT_GNTNACK for our grant. */
  grantAnswered(ok: boolean): void {
    if (this.state !== "ACCEPTING") return;
    if (ok) {
      this.#connected();
      return;
    }
    // The requester will never use our block: it is ours to free.
    this.#qp?.detachPeer();
    this.#error = new ScifError("EAGAIN", "the requester withdrew its connection request");
    this.state = "BOUND";
  }

  // ---- scif_send, scif_recv ----

  #streamError(): ScifError {
    return this.state === "DISCONNECTED"
      ? new ScifError("ECONNRESET", "the peer closed the connection")
      : new ScifError("ENOTCONN", `the endpoint is not connected (${this.state})`);
  }

  send(data: Uint8Array, block: boolean): Promise<number> {
    if (this.state === "CONNECTED") {
      if (this.#direct || (this.#spins === 0 && this.#takeDirect())) {
        return this.#direct!.sendDirect(data, block);
      }
      const n = this.#qp!.put(data, 0);
      if (n === data.length || !block) return resolvedCount(n);
      return this.#sendRest(data, n);
    }
    if (data.length === 0) return resolvedCount(0);
    return Promise.reject(this.#streamError());
  }

  /**
   * A peer in another process whose pipe runs in this thread: from now on sends go straight
   * to its socket. Taken only once every byte sent so far has left the ring and the pump holds
   * none, so no byte can overtake an earlier one.
   */
  #takeDirect(): boolean {
    if (!this.node.isRemote(this.peerId!.node)) return false;
    const pipe = findPipe(this.peerId!.node, this.peerToken);
    if (!pipe || !pipe.idle || !this.#qp!.txDrained()) return false;
    this.#direct = pipe;
    return true;
  }

  /** A blocking send that found the ring full after `done` bytes. */
  async #sendRest(data: Uint8Array, done: number): Promise<number> {
    const len = data.length;
    const qp = this.#qp!;
    const connected = () => this.state === "CONNECTED";
    while (done < len) {
      await qp.waitForSpace(this.#spins, connected);
      if (this.state !== "CONNECTED") {
        if (done > 0) return done;
        throw this.#streamError();
      }
      done += qp.put(data, done);
    }
    return done;
  }

  recv(into: Uint8Array, block: boolean): Promise<number> {
    if (this.state === "CONNECTED") {
      const n = this.#qp!.take(into, 0, block ? this.#spins : 0);
      if (n === into.length || !block) return resolvedCount(n);
      return this.#recvRest(into, n);
    }
    if (into.length === 0) return resolvedCount(0);
    if (this.state === "DISCONNECTED") return this.#recvRest(into, 0, block);
    return Promise.reject(this.#streamError());
  }

  /** The rest of a recv: a blocking one that has `got` bytes and wants more, or any recv
   * after the peer left (which drains what it sent, then reports ECONNRESET). */
  async #recvRest(into: Uint8Array, got: number, block = true): Promise<number> {
    const len = into.length;
    const qp = this.#qp!;
    const connected = () => this.state === "CONNECTED";
    while (got < len) {
      const n = qp.take(into, got, this.state === "CONNECTED" ? this.#spins : 0);
      got += n;
      if (n > 0) continue;
      // Empty. After a disconnect everything the peer committed is already here: done.
      if (!block || this.state !== "CONNECTED") break;
      await qp.sleepForData(connected);
      if (this.state !== "CONNECTED" && this.state !== "DISCONNECTED") break;
    }
    if (got > 0 || this.state === "CONNECTED") return got;
    throw this.#streamError();
  }

  /** For a bridge: waits for at least one byte and takes what is there (up to into.length);
   * 0 once the peer closed and everything it sent was taken, or the endpoint is not connected. */
  async recvSome(into: Uint8Array): Promise<number> {
    for (;;) {
      if (this.state !== "CONNECTED" && this.state !== "DISCONNECTED") return 0;
      const n = this.#qp!.take(into, 0, this.state === "CONNECTED" ? this.#spins : 0);
      if (n > 0 || this.state !== "CONNECTED") return n;
      await this.#qp!.sleepForData(() => this.state === "CONNECTED");
    }
  }

  // ---- scif_poll ----

  /** The poll events that hold now (the kernel's __scif_pollfd). */
  pollEvents(): number {
    switch (this.state) {
      case "LISTENING":
        return this.#conreqs.length > 0 ? POLLIN : 0;
      case "CONNECTED": {
        const qp = this.#qp!;
        return (qp.count() > 0 ? POLLIN : 0) | (qp.space() > 0 ? POLLOUT : 0);
      }
      case "DISCONNECTED":
        return POLLHUP | (this.#qp!.count() > 0 ? POLLIN : 0);
      default:
        return POLLERR;
    }
  }

  /** Cells a poll sleeps on for `events`, announced to the peer (see EndpointQp.announce). */
  pollCells(events: number): [number, number][] {
    if (this.state !== "CONNECTED") return [];
    return this.#qp!.announce((events & POLLIN) !== 0, (events & POLLOUT) !== 0);
  }

  /** Withdraws what pollCells announced. */
  pollDone(): void {
    this.#qp?.unannounce();
  }

  // ---- registration, RMA, fences, mmap (the connection check is the kernel's scif_verify_epd) ----

  #verified(): EndpointRma {
    if (this.state === "DISCONNECTED") throw new ScifError("ECONNRESET", "the peer closed the connection");
    if (this.state !== "CONNECTED") {
      throw new ScifError("ENOTCONN", `the endpoint is not connected (${this.state})`);
    }
    this.node.checkReachable(this.peerId!.node, this.#peerEpoch);
    return this.#rma!;
  }

  register(memory: Uint8Array, offset: number | undefined, prot: number, fixed: boolean): number {
    // Its address is its place in the shared memory; the argument checks come first.
    if (memory.byteOffset % 4096 !== 0) {
      throw new ScifError("EINVAL", `the memory's address ${memory.byteOffset} is not page aligned`);
    }
    return this.#verified().register(memory, offset, prot, fixed);
  }

  unregister(offset: number, length: number): void {
    this.#verified().unregister(offset, length);
  }

  async readFrom(localOffset: number, length: number, remoteOffset: number, flags: number): Promise<void> {
    await this.#verified().transfer("read", localOffset, length, remoteOffset, flags);
  }

  async writeTo(localOffset: number, length: number, remoteOffset: number, flags: number): Promise<void> {
    await this.#verified().transfer("write", localOffset, length, remoteOffset, flags);
  }

  async vreadFrom(into: Uint8Array, remoteOffset: number, flags: number): Promise<void> {
    await this.#verified().transfer("read", into, into.length, remoteOffset, flags);
  }

  async vwriteTo(from: Uint8Array, remoteOffset: number, flags: number): Promise<void> {
    await this.#verified().transfer("write", from, from.length, remoteOffset, flags);
  }

  fenceMark(flags: number): Promise<number> {
    this.#verified();
    if (flags !== SCIF_FENCE_INIT_SELF && flags !== SCIF_FENCE_INIT_PEER) {
      throw new ScifError(
        "EINVAL",
        "fenceMark takes exactly one of SCIF_FENCE_INIT_SELF and SCIF_FENCE_INIT_PEER",
      );
    }
    // A mark is a value of a DMA engine's submitted counter: ours, or the peer node's, read from
    // the node table, so the peer's thread need not answer (its engine does the work).
    if (flags === SCIF_FENCE_INIT_SELF) return Promise.resolve(this.#submitted(this.node.nodeId));
    return Promise.resolve((this.#submitted(this.peerId!.node) | MARK_PEER) >>> 0);
  }

  #submitted(node: number): number {
    return this.node.net.load(nodeField(this.node.net.layout, node, N_DMA_SUBMITTED)) & SEQ;
  }

  async fenceWait(mark: number): Promise<void> {
    this.#verified();
    const peer = mark >= MARK_PEER;
    const node = peer ? this.peerId!.node : this.node.nodeId;
    // A peer's mark waits on the peer's engine; should the connection go meanwhile, the wait
    // fails the way the next RMA call would.
    const abort = peer
      ? () => {
        try {
          this.#verified();
          return null;
        } catch (e) {
          return e as ScifError;
        }
      }
      : undefined;
    await waitCompleted(
      this.node.net,
      node,
      (peer ? mark - MARK_PEER : mark) & SEQ,
      this.node.net.spins,
      abort,
    );
  }

  async fenceSignal(
    localOffset: number,
    localValue: bigint,
    remoteOffset: number,
    remoteValue: bigint,
    flags: number,
  ): Promise<void> {
    const rma = this.#verified();
    const init = flags & (SCIF_FENCE_INIT_SELF | SCIF_FENCE_INIT_PEER);
    const signal = flags & (SCIF_SIGNAL_LOCAL | SCIF_SIGNAL_REMOTE);
    if (
      (flags & ~(init | signal)) !== 0 || (init !== SCIF_FENCE_INIT_SELF && init !== SCIF_FENCE_INIT_PEER) ||
      signal === 0
    ) {
      throw new ScifError("EINVAL", `bad fence_signal flags 0x${flags.toString(16)}`);
    }
    if (
      (signal & SCIF_SIGNAL_LOCAL && localOffset % 4 !== 0) ||
      (signal & SCIF_SIGNAL_REMOTE && remoteOffset % 4 !== 0)
    ) {
      throw new ScifError("EINVAL", "signal offsets must be 4-byte aligned");
    }
    const local = signal & SCIF_SIGNAL_LOCAL ? rma.signalAddress("local", localOffset) : -1;
    if (signal & SCIF_SIGNAL_REMOTE && this.node.isRemote(this.peerId!.node)) {
      // A peer in another process: our RMAs to it are complete when their calls resolve (see
      // EndpointRma.transfer), so the signal may go now; the far end checks the window.
      if (local >= 0) await this.node.dma.signal(local, localValue);
      await rma.delegateSignal(remoteOffset, remoteValue);
      return;
    }
    const remote = signal & SCIF_SIGNAL_REMOTE ? rma.signalAddress("remote", remoteOffset) : -1;
    // INIT_SELF: after our queued RMAs, which our engine performs in order. INIT_PEER: our
    // engine waits for the peer's engine to pass the mark taken now.
    const peer = init === SCIF_FENCE_INIT_PEER
      ? { node: this.peerId!.node, epoch: this.#peerEpoch, mark: this.#submitted(this.peerId!.node) }
      : undefined;
    if (local >= 0) await this.node.dma.signal(local, localValue, peer);
    if (remote >= 0) await this.node.dma.signal(remote, remoteValue, peer);
  }

  mmap(remoteOffset: number, length: number, prot: number): Uint8Array {
    const rma = this.#verified();
    if (this.node.isRemote(this.peerId!.node)) {
      throw new ScifError(
        "EOPNOTSUPP",
        `node ${this.peerId!.node} runs in another process: its windows are not in memory this process ` +
          "can map (readFrom/writeTo reach them)",
      );
    }
    return rma.mmap(remoteOffset, length, prot);
  }

  munmap(view: Uint8Array): void {
    // Unmapping is allowed in any state: the mapping outlives the connection.
    (this.#rma ?? this.#verified()).munmap(view);
    if (this.closed) this.node.keepZombie(this.token, this.#rma!, this.peerId!.node);
  }

  // ---- scif_close and the peer's side of it ----

  close(): void {
    if (this.closed) throw new ScifError("EBADF", "the endpoint is closed");
    this.#releasePort(); // the kernel puts the port at once, whatever the disconnect does
    if (this.#rma) {
      // Our windows are retired before SCIF_DISCNCT (the ring keeps the order); mappings the
      // peer holds of them stay valid until it unmaps, and ours of its windows likewise.
      this.#rma.close();
      this.node.keepZombie(this.token, this.#rma, this.peerId!.node);
    }
    switch (this.state) {
      case "LISTENING":
        // SCIF_CNCT_REJ to every pending request; a waiting accept wakes with EINTR.
        for (const req of this.#conreqs.splice(0)) {
          this.node.tryPost(SCIF_CNCT_REJ, this.localId!, req.peer, BigInt(req.token));
        }
        this.#destroy();
        break;
      case "CONNECTED":
        // SCIF_DISCNCT: p0 the peer's token, p1 ours. Until the peer acknowledges it may still
        // write into our block, so the block lives on in CLOSING.
        this.state = "CLOSING";
        this.#qp!.detachPeer();
        if (
          !this.node.tryPost(
            SCIF_DISCNCT,
            this.localId!,
            this.peerId!,
            BigInt(this.peerToken),
            BigInt(this.token),
          )
        ) {
          this.#destroy();
        }
        break;
      default:
        // CONNECTING: a grant that comes later finds no endpoint and is refused.
        this.#destroy();
    }
    this.#wake();
  }

  /** Publishes what our receive ring has consumed (the node does it for all when rung). */
  publishConsumption(): void {
    if (this.state === "CONNECTED") this.#qp!.publish();
  }

  /** SCIF_DISCNCT from the peer. */
  peerClosed(): void {
    if (this.state === "CONNECTED") this.#peerLeft();
  }

  #peerLeft(): void {
    this.state = "DISCONNECTED";
    this.#qp?.detachPeer();
    this.#wake();
  }

  /** SCIF_DISCNT_ACK for our close: the peer no longer touches our block. */
  disconnectAcknowledged(): void {
    if (this.state === "CLOSING") this.#destroy();
  }

  /** Node k's incarnation ended (the kernel's scif_invalidate_ep). */
  nodeGone(k: number): void {
    if (this.#target !== k && this.peerId?.node !== k) return;
    this.#rma?.peerGone();
    switch (this.state) {
      case "CONNECTED":
        this.#peerLeft();
        return;
      case "CONNECTING":
        this.#error = new ScifError("ENODEV", `node ${k} was lost`);
        this.#unconnect();
        break;
      case "ACCEPTING":
        this.#qp?.detachPeer();
        this.#error = new ScifError("ENODEV", `node ${k} was lost`);
        this.state = "BOUND";
        break;
      case "CLOSING":
        this.#destroy();
        break;
    }
    this.#wake();
  }

  /** Forgets the endpoint entirely: port, queue pair, table entry. */
  #destroy(): void {
    if (this.state === "CLOSED") return;
    this.state = "CLOSED";
    this.#wake();
    this.#qp?.free();
    this.#qp = null;
    this.#releasePort();
    this.node.forget(this);
  }

  #releasePort(): void {
    if (this.localId && !this.#portReleased) this.node.ports.release(this.localId.port);
    this.#portReleased = true;
  }

  /** Wakes every call of this thread sleeping on this endpoint. */
  #wake(): void {
    this.#qp?.wake();
    this.node.kick();
  }
}
