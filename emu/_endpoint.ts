// An endpoint of the emulated network: the kernel's endpoint state machine (scif_epd.h,
// scif_api.c) with its errno rules, over an endpoint queue pair (emu/_qp.ts) whose byte
// stream is emu/_stream.ts, and with the RMA state of emu/_rma.ts.
//
// Invariants:
// - Only the node's own thread touches an endpoint, so its JS state needs no locking; the
//   peer reaches it through the queue pair (bytes) and control messages (state).
// - Messages about a connection are taken only from the slot of the peer (or of the node a
//   connect or an accept is talking to): another slot cannot reset or grant it.
// - An endpoint owns its queue pair block from connect/accept until the peer can no longer
//   write into it: the peer acknowledged our disconnect, or said no to our grant, or its
//   incarnation ended. Once our state leaves CONNECTED we store nothing into the peer's block.
// - Bytes the peer committed before it sent SCIF_DISCNCT are in our ring before we handle
//   the disconnect (both are published with sequentially consistent stores, in that order),
//   so recv drains the ring before it reports ECONNRESET and nothing sent is lost.

import { SCIF_ADMIN_PORT_END } from "../constants.ts";
import { ScifError } from "../errors.ts";
import { abortError, onAbort } from "../_abort.ts";
import type { EndpointBackend } from "../_backend.ts";
import type { PortId } from "../types.ts";
import type { DispatchedEndpoint } from "./_dispatch.ts";
import {
  type Message,
  SCIF_CNCT_GNT,
  SCIF_CNCT_GNTACK,
  SCIF_CNCT_REJ,
  SCIF_CNCT_REQ,
  SCIF_DISCNCT,
} from "./_messages.ts";
import { EndpointQp } from "./_qp.ts";
import { EndpointRma } from "./_rma.ts";
import { EndpointStream } from "./_stream.ts";
import { EndpointFences } from "./_fences.ts";
import { EndpointCalls } from "./_endpoint_calls.ts";
import type { EndpointHost, EpState } from "./_endpoint_types.ts";

export type { EndpointHost, EpState };

type Of<O extends number> = Extract<Message, { op: O }>;

/** A connection request queued on a listener (the kernel's conreq). */
interface ConReq {
  readonly peer: PortId;
  readonly slot: number;
  readonly epoch: number;
  readonly qp: number;
  readonly token: number;
}

/** One endpoint of an emulated node. */
export class EmuEndpoint extends EndpointCalls implements EndpointBackend, DispatchedEndpoint {
  readonly node: EndpointHost<EmuEndpoint>;
  readonly token: number;
  state: EpState = "UNBOUND";
  localId: PortId | null = null;
  peerId: PortId | null = null;
  /** The peer endpoint's token, once connected. */
  peerToken = 0;
  /** The slot of the peer (or of the node a connect or an accept talks to), and its incarnation. */
  peerSlot = -1;
  #dst: PortId | null = null; // what a connect asked for
  #backlog = 0;
  readonly #conreqs: ConReq[] = [];
  #error: ScifError | null = null; // why a connect or an accept-side handshake failed
  #portReleased = false;
  #awaitingAck = false; // a SCIF_DISCNCT of ours that the peer has not acknowledged yet

  constructor(node: EndpointHost<EmuEndpoint>, token: number) {
    super();
    this.node = node;
    this.token = token;
  }

  protected pendingRequests(): number {
    return this.#conreqs.length;
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

  async connect(dst: PortId, signal?: AbortSignal): Promise<PortId> {
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
    const route = this.node.route(dst);
    this.qp = EndpointQp.alloc(this.node.net, this.node.slot);
    this.state = "CONNECTING";
    this.#dst = dst;
    this.peerSlot = route.slot;
    this.peerEpoch = route.epoch;
    this.#error = null;
    try {
      this.node.post(route.slot, {
        op: SCIF_CNCT_REQ,
        src: this.localId!,
        dst,
        qp: this.qp.block,
        token: this.token,
        epoch: this.node.epoch,
      });
      const until = performance.now() + this.node.net.connectTimeoutMs;
      while (this.state === "CONNECTING") {
        const left = until - performance.now();
        if (left <= 0) {
          // The kernel gives up after SCIF_NODE_ALIVE_TIMEOUT and reports the refusal.
          this.#error = new ScifError("ECONNREFUSED", `no answer from ${dst.node}:${dst.port}`);
          break;
        }
        // Once its caller stopped waiting (an abort), the request goes on without holding the
        // process open.
        await this.node.waitEvent(left, !signal?.aborted);
      }
    } catch (e) {
      this.#error = e as ScifError;
    }
    const state = this.state as EpState; // handlers changed it meanwhile
    // Connected, even if the peer has closed since (that shows on the next call).
    if (this.stream && !this.closed) return this.localId!;
    if (state === "CONNECTING") this.#unconnect();
    if (this.closed) throw new ScifError("EINTR", "the endpoint was closed while connecting");
    throw this.#error ?? new ScifError("ECONNREFUSED", `${dst.node}:${dst.port} refused the connection`);
  }

  /** Back to BOUND after a failed connect; nobody references our block. */
  #unconnect(): void {
    this.state = "BOUND";
    this.peerSlot = -1;
    this.qp?.free();
    this.qp = null;
  }

  /** SCIF_CNCT_GNT for our connect. Returns false when we no longer want it (the caller NACKs). */
  granted(m: Of<typeof SCIF_CNCT_GNT>, from: number): boolean {
    if (this.state !== "CONNECTING" || from !== this.peerSlot) return false;
    if (this.node.knownEpoch(from) !== this.peerEpoch || !this.node.validQp(m.qp, from)) {
      this.#error = new ScifError(
        "ECONNREFUSED",
        `${m.src.node}:${m.src.port} sent a grant that does not hold`,
      );
      this.#unconnect();
      this.node.dropped();
      return false;
    }
    this.qp!.attach(m.qp, from);
    this.peerId = m.src;
    this.peerToken = m.from;
    this.#connected();
    if (
      !this.node.tryPost(from, { op: SCIF_CNCT_GNTACK, src: this.localId!, dst: m.src, token: m.from })
    ) this.#peerLeft();
    return true;
  }

  #connected(): void {
    this.state = "CONNECTED";
    // A stand-in whose bridge runs in this process answers through a socket that this
    // thread's event loop may be serving: spinning would only delay it.
    const spins = this.node.standInHere(this.peerSlot) ? 0 : this.node.net.spins;
    this.stream = new EndpointStream(this, this.qp!, spins);
  }

  /** The RMA state and fences of a connection, made when it first needs them (most never do). */
  protected ensureRma(): EndpointRma {
    if (this.rma) return this.rma;
    const link = {
      node: this.node,
      token: this.token,
      localId: this.localId!,
      peerSlot: this.peerSlot,
      peer: () =>
        this.peerId && this.node.knownEpoch(this.peerSlot) === this.peerEpoch
          ? { id: this.peerId, token: this.peerToken, slot: this.peerSlot }
          : null,
    };
    this.rma = new EndpointRma(link);
    this.fences = new EndpointFences(link, this.rma, this.peerEpoch);
    return this.rma;
  }

  /** The RMA state, for the node's routing of window messages (made for a connected one). */
  get rmaState(): EndpointRma | null {
    return this.rma ?? (this.stream && this.state === "CONNECTED" ? this.ensureRma() : null);
  }

  /** SCIF_CNCT_REJ for our connect. */
  rejected(from: number): void {
    if (this.state !== "CONNECTING" || from !== this.peerSlot) return;
    const to = this.#target();
    this.#error = new ScifError("ECONNREFUSED", `nothing accepts connections on ${to}`);
    this.#unconnect();
  }

  #target(): string {
    const p = this.peerId ?? this.#dst;
    return p ? `${p.node}:${p.port}` : "the destination";
  }

  /** For a bridge (emu/bus/tcp_bridge.ts): binds `port` whatever its range, sharing it when
   * this slot has it (a stand-in's ports belong to another machine's node, which checked them). */
  bindProxy(port: number): void {
    if (this.state !== "UNBOUND") throw new ScifError("EISCONN", `bind in state ${this.state}`);
    if (!this.node.ports.share(port)) throw new ScifError("EINVAL", `port ${port} is in use`);
    this.localId = { node: this.node.nodeId, port };
    this.state = "BOUND";
  }

  /** For a bridge: refuses the oldest pending connection request (SCIF_CNCT_REJ). */
  rejectOldest(): void {
    const req = this.#conreqs.shift();
    if (req) {
      this.node.tryPost(req.slot, { op: SCIF_CNCT_REJ, src: this.localId!, dst: req.peer, token: req.token });
    }
  }

  // ---- scif_accept ----

  /** A connection request arrived for this listener; false when it must be refused. */
  queueRequest(m: Of<typeof SCIF_CNCT_REQ>, from: number): boolean {
    if (this.state !== "LISTENING" || this.#conreqs.length >= this.#backlog) return false;
    if (m.epoch !== this.node.knownEpoch(from) || !this.node.validQp(m.qp, from)) {
      this.node.dropped();
      return false;
    }
    this.#conreqs.push({ peer: m.src, slot: from, epoch: m.epoch, qp: m.qp, token: m.token });
    return true;
  }

  async accept(block: boolean, signal?: AbortSignal): Promise<EndpointBackend> {
    if (this.state !== "LISTENING") throw new ScifError("EINVAL", `accept in state ${this.state}`);
    // An abort ends only the wait for a request: one taken is accepted (its handshake is short).
    const stop = onAbort(signal, () => this.node.kick());
    try {
      return await this.#accept(block, signal);
    } finally {
      stop();
    }
  }

  async #accept(block: boolean, signal: AbortSignal | undefined): Promise<EndpointBackend> {
    for (;;) {
      while (this.#conreqs.length === 0) {
        if (!block) throw new ScifError("EAGAIN", "no connection request is pending");
        if (signal?.aborted) throw abortError(signal, "accept");
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
        // A requester that said no (SCIF_CNCT_GNTNACK) or whose program ended: a blocking
        // accept takes the next one.
        if (!(e instanceof ScifError && e.code === "EAGAIN" && block)) throw e;
      }
    }
  }

  /** The accept side of the handshake, on the new endpoint. */
  async #handshake(req: ConReq): Promise<void> {
    this.peerId = req.peer;
    this.peerToken = req.token;
    this.peerSlot = req.slot;
    this.peerEpoch = req.epoch;
    if (this.node.knownEpoch(req.slot) !== req.epoch) {
      if (!this.node.nodeOnline(req.peer.node)) {
        throw new ScifError("ENODEV", `node ${req.peer.node} was lost`);
      }
      throw new ScifError("EAGAIN", "the requester is gone");
    }
    this.state = "ACCEPTING";
    try {
      this.qp = EndpointQp.alloc(this.node.net, this.node.slot);
    } catch (e) {
      this.node.tryPost(req.slot, { op: SCIF_CNCT_REJ, src: this.localId!, dst: req.peer, token: req.token });
      throw e;
    }
    this.qp.attach(req.qp, req.slot);
    this.node.post(req.slot, {
      op: SCIF_CNCT_GNT,
      src: this.localId!,
      dst: req.peer,
      qp: this.qp.block,
      token: req.token,
      from: this.token,
    });
    while (this.state === "ACCEPTING") await this.node.waitEvent();
    if (this.stream) return; // connected, even if the peer has closed since
    throw this.#error ?? new ScifError("EINTR", `the node was closed during accept (${this.state})`);
  }

  /** SCIF_CNCT_GNTACK / SCIF_CNCT_GNTNACK for our grant. */
  grantAnswered(ok: boolean, from: number): void {
    if (this.state !== "ACCEPTING" || from !== this.peerSlot) return;
    if (ok) {
      this.#connected();
      return;
    }
    // The requester will never use our block: it is ours to free.
    this.qp?.detachPeer();
    this.#error = new ScifError("EAGAIN", "the requester withdrew its connection request");
    this.state = "BOUND";
  }

  // ---- scif_close and the peer's side of it ----

  close(): void {
    if (this.closed) throw new ScifError("EBADF", "the endpoint is closed");
    this.#releasePort(); // the kernel puts the port at once, whatever the disconnect does
    if (this.rma) {
      // Our windows are retired before SCIF_DISCNCT (the ring keeps the order); mappings the
      // peer holds of them stay valid until it unmaps, and ours of its windows likewise.
      this.rma.close();
      this.node.keepZombie(this.token, this.rma, this.peerSlot);
    }
    switch (this.state) {
      case "LISTENING":
        // SCIF_CNCT_REJ to every pending request; a waiting accept wakes with EINTR.
        for (const req of this.#conreqs.splice(0)) {
          this.node.tryPost(req.slot, {
            op: SCIF_CNCT_REJ,
            src: this.localId!,
            dst: req.peer,
            token: req.token,
          });
        }
        this.#destroy();
        break;
      case "CONNECTED":
        // SCIF_DISCNCT. Until the peer acknowledges it may still write into our block, so the
        // block lives on in CLOSING.
        this.state = "CLOSING";
        this.qp!.detachPeer();
        if (
          !this.node.tryPost(this.peerSlot, {
            op: SCIF_DISCNCT,
            src: this.localId!,
            dst: this.peerId!,
            token: this.peerToken,
            from: this.token,
          })
        ) this.#destroy();
        break;
      case "DISCONNECTED":
        // After a reset of ours the peer may write into our block until it acknowledges.
        if (this.#awaitingAck) this.state = "CLOSING";
        else this.#destroy();
        break;
      default:
        // CONNECTING: a grant that comes later finds no endpoint and is refused.
        this.#destroy();
    }
    this.#wake();
  }

  /** SCIF_DISCNCT from slot `from`, sent by its endpoint `token`; false when that is not our peer. */
  peerClosed(from: number, token: number): boolean {
    if (from !== this.peerSlot || token !== this.peerToken) return false;
    if (this.state === "CONNECTED") this.#peerLeft();
    return true;
  }

  #peerLeft(): void {
    this.state = "DISCONNECTED";
    this.qp?.detachPeer();
    this.#wake();
  }

  /** The peer wrote into our ring what no writer could have, or a view of our queue pair was
   * stored over (a buggy node, core-as/rb.ts): the connection is
   * reset, and the peer is told (SCIF_DISCNCT) so that it stops writing into our queue pair;
   * until it acknowledges, the pair is not given back, whatever the user does. */
  streamBroken(): void {
    if (this.state !== "CONNECTED") return;
    this.node.dropped();
    this.#peerLeft();
    this.#awaitingAck = this.node.tryPost(this.peerSlot, {
      op: SCIF_DISCNCT,
      src: this.localId!,
      dst: this.peerId!,
      token: this.peerToken,
      from: this.token,
    });
  }

  /** SCIF_DISCNT_ACK for our close: the peer no longer touches our block. */
  disconnectAcknowledged(from: number): void {
    if (from !== this.peerSlot) return;
    this.#awaitingAck = false;
    if (this.state === "CLOSING") this.#destroy();
  }

  /** Slot k's incarnation ended (the kernel's scif_invalidate_ep); `nodeLost`: with its node. */
  slotGone(k: number, nodeLost: boolean): void {
    if (this.state === "LISTENING") {
      // Requests of a program that ended are forgotten; those of a node that was lost stay, for
      // accept to report ENODEV as the kernel does.
      if (nodeLost) return;
      for (let i = this.#conreqs.length - 1; i >= 0; i--) {
        if (this.#conreqs[i].slot === k) this.#conreqs.splice(i, 1);
      }
      return;
    }
    if (this.peerSlot !== k) return;
    this.rma?.peerGone();
    const why = (what: string) =>
      nodeLost
        ? new ScifError("ENODEV", `node ${what} was lost`)
        : new ScifError("ECONNREFUSED", `the program listening on ${what} ended`);
    switch (this.state) {
      case "CONNECTED":
        this.#peerLeft();
        return;
      case "CONNECTING":
        this.#error = why(this.#target());
        this.#unconnect();
        break;
      case "ACCEPTING":
        this.qp?.detachPeer();
        this.#error = nodeLost
          ? why(String(this.peerId!.node))
          : new ScifError("EAGAIN", "the requester is gone");
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
    this.qp?.free();
    this.qp = null;
    this.#releasePort();
    this.node.forget(this);
  }

  #releasePort(): void {
    if (this.localId && !this.#portReleased) this.node.ports.release(this.localId.port);
    this.#portReleased = true;
  }

  /** Wakes every call of this thread sleeping on this endpoint. */
  #wake(): void {
    this.qp?.wake();
    this.node.kick();
  }
}
