// An endpoint of the emulated network: the kernel's endpoint state machine (scif_epd.h,
// scif_api.c) with its errno rules, over an endpoint queue pair (emu/_qp.ts) whose byte
// stream is emu/_stream.ts, and with the RMA state of emu/_rma.ts. This file makes connections
// (scif_bind, scif_listen, scif_connect, scif_accept and their handshake). It extends
// emu/_endpoint_close.ts (how a connection ends), which extends emu/_endpoint_calls.ts (the
// data and window calls).
//
// Invariants:
// - Only the node's own thread touches an endpoint, so its JS state needs no locking; the
//   peer reaches it through the queue pair (bytes) and control messages (state).
// - Messages about a connection are taken only from the slot of the peer (or of the node a
//   connect or an accept is talking to): another slot cannot grant or refuse it.
// - The queue pair block that a connect or an accept allocates is the endpoint's until the
//   peer can no longer write into it (see emu/_endpoint_close.ts, which gives it back).

import { SCIF_ADMIN_PORT_END } from "../constants.ts";
import { ScifError } from "../errors.ts";
import { abortError, onAbort } from "../_abort.ts";
import type { EndpointBackend } from "../_backend.ts";
import type { PortId } from "../types.ts";
import type { DispatchedEndpoint } from "./_dispatch.ts";
import { type Message, SCIF_CNCT_GNT, SCIF_CNCT_GNTACK, SCIF_CNCT_REQ } from "./_messages.ts";
import { type ConReq, refuse } from "./_conreqs.ts";
import { EndpointQp } from "./_qp.ts";
import { EndpointStream } from "./_stream.ts";
import { EndpointClose } from "./_endpoint_close.ts";
import type { EndpointHost, EpState } from "./_endpoint_types.ts";

export type { EndpointHost, EpState };

type Of<O extends number> = Extract<Message, { op: O }>;

/** One endpoint of an emulated node. */
export class EmuEndpoint extends EndpointClose implements EndpointBackend, DispatchedEndpoint {
  readonly node: EndpointHost<EmuEndpoint>;
  readonly token: number;

  constructor(node: EndpointHost<EmuEndpoint>, token: number) {
    super();
    this.node = node;
    this.token = token;
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
        this.conreqs.backlog = backlog;
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
    this.dst = dst;
    this.peerSlot = route.slot;
    this.peerEpoch = route.epoch;
    this.error = null;
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
          this.error = new ScifError("ECONNREFUSED", `no answer from ${dst.node}:${dst.port}`);
          break;
        }
        // Once its caller stopped waiting (an abort), the request goes on without holding the
        // process open.
        await this.node.waitEvent(left, !signal?.aborted);
      }
    } catch (e) {
      this.error = e as ScifError;
    }
    const state = this.state as EpState; // handlers changed it meanwhile
    // Connected, even if the peer has closed since (that shows on the next call).
    if (this.stream && !this.closed) return this.localId!;
    if (state === "CONNECTING") this.unconnect();
    if (this.closed) throw new ScifError("EINTR", "the endpoint was closed while connecting");
    throw this.error ?? new ScifError("ECONNREFUSED", `${dst.node}:${dst.port} refused the connection`);
  }

  /** SCIF_CNCT_GNT for our connect. Returns false when we no longer want it (the caller NACKs). */
  granted(m: Of<typeof SCIF_CNCT_GNT>, from: number): boolean {
    if (this.state !== "CONNECTING" || from !== this.peerSlot) return false;
    if (this.node.knownEpoch(from) !== this.peerEpoch || !this.node.validQp(m.qp, from)) {
      this.error = new ScifError(
        "ECONNREFUSED",
        `${m.src.node}:${m.src.port} sent a grant that does not hold`,
      );
      this.unconnect();
      this.node.dropped();
      return false;
    }
    this.qp!.attach(m.qp, from);
    this.peerId = m.src;
    this.peerToken = m.from;
    this.#connected();
    if (
      !this.node.tryPost(from, { op: SCIF_CNCT_GNTACK, src: this.localId!, dst: m.src, token: m.from })
    ) this.peerLeft();
    return true;
  }

  #connected(): void {
    this.state = "CONNECTED";
    // A stand-in whose bridge runs in this process answers through a socket that this
    // thread's event loop may be serving: spinning would only delay it.
    const spins = this.node.standInHere(this.peerSlot) ? 0 : this.node.net.spins;
    this.stream = new EndpointStream(this, this.qp!, spins);
  }

  /** SCIF_CNCT_REJ for our connect. */
  rejected(from: number): void {
    if (this.state !== "CONNECTING" || from !== this.peerSlot) return;
    const to = this.target();
    this.error = new ScifError("ECONNREFUSED", `nothing accepts connections on ${to}`);
    this.unconnect();
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
    const req = this.conreqs.shift();
    if (req) refuse(this.node, this.localId!, req);
  }

  // ---- scif_accept ----

  /** A connection request arrived for this listener; false when it must be refused. */
  queueRequest(m: Of<typeof SCIF_CNCT_REQ>, from: number): boolean {
    if (this.state !== "LISTENING" || this.conreqs.full) return false;
    if (m.epoch !== this.node.knownEpoch(from) || !this.node.validQp(m.qp, from)) {
      this.node.dropped();
      return false;
    }
    this.conreqs.push({ peer: m.src, slot: from, epoch: m.epoch, qp: m.qp, token: m.token });
    return true;
  }

  async accept(block: boolean, signal?: AbortSignal): Promise<EndpointBackend> {
    if (this.reset) throw this.reset;
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
      while (this.conreqs.length === 0) {
        if (!block) throw new ScifError("EAGAIN", "no connection request is pending");
        if (signal?.aborted) throw abortError(signal, "accept");
        await this.node.waitEvent();
        if (this.state !== "LISTENING") throw this.reset ?? new ScifError("EINTR", "the listener was closed");
      }
      const req = this.conreqs.shift()!;
      const ep = this.node.acceptedEndpoint(this);
      try {
        await ep.#handshake(req);
        return ep;
      } catch (e) {
        ep.destroy();
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
      refuse(this.node, this.localId!, req);
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
    throw this.error ?? new ScifError("EINTR", `the node was closed during accept (${this.state})`);
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
    this.error = new ScifError("EAGAIN", "the requester withdrew its connection request");
    this.state = "BOUND";
  }
}
