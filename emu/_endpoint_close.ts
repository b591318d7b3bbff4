// How an emulated endpoint's connection ends: scif_close and the peer's side of it
// (SCIF_DISCNCT, SCIF_DISCNT_ACK), a reset of a broken stream, and the end of the peer's slot
// (the kernel's scif_invalidate_ep), over the connection state that emu/_endpoint.ts, which
// extends this, makes with its connect and accept.
//
// Invariants:
// - Messages about a connection are taken only from the slot of the peer (or of the node a
//   connect or an accept is talking to): another slot cannot reset it.
// - An endpoint owns its queue pair block from connect/accept until the peer can no longer
//   write into it: the peer acknowledged our disconnect, or said no to our grant, or its
//   incarnation ended. Once our state leaves CONNECTED we store nothing into the peer's block.
// - Bytes the peer committed before it sent SCIF_DISCNCT are in our ring before we handle
//   the disconnect (both are published with sequentially consistent stores, in that order),
//   so recv drains the ring before it reports ECONNRESET and nothing sent is lost.

import { ScifError } from "../errors.ts";
import type { PortId } from "../types.ts";
import { SCIF_DISCNCT } from "./_messages.ts";
import { ConReqQueue, refuse } from "./_conreqs.ts";
import { EndpointCalls } from "./_endpoint_calls.ts";
import type { EpState } from "./_endpoint_types.ts";

/** An endpoint's connection state, and the ends of its connection. */
export abstract class EndpointClose extends EndpointCalls {
  state: EpState = "UNBOUND";
  localId: PortId | null = null;
  peerId: PortId | null = null;
  /** The peer endpoint's token, once connected. */
  peerToken = 0;
  /** The slot of the peer (or of the node a connect or an accept talks to), and its incarnation. */
  peerSlot = -1;
  protected dst: PortId | null = null; // what a connect asked for
  protected readonly conreqs = new ConReqQueue(); // a listener's
  protected error: ScifError | null = null; // why a connect or an accept-side handshake failed
  #portReleased = false;
  #awaitingAck = false; // a SCIF_DISCNCT of ours that the peer has not acknowledged yet

  protected pendingRequests(): number {
    return this.conreqs.length;
  }

  get closed(): boolean {
    return this.state === "CLOSING" || this.state === "CLOSED";
  }

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
        for (const req of this.conreqs.takeAll()) refuse(this.node, this.localId!, req);
        this.destroy();
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
        ) this.destroy();
        break;
      case "DISCONNECTED":
        // After a reset of ours the peer may write into our block until it acknowledges.
        if (this.#awaitingAck) this.state = "CLOSING";
        else this.destroy();
        break;
      default:
        // CONNECTING: a grant that comes later finds no endpoint and is refused.
        this.destroy();
    }
    this.#wake();
  }

  /** SCIF_DISCNCT from slot `from`, sent by its endpoint `token`; false when that is not our peer. */
  peerClosed(from: number, token: number): boolean {
    if (from !== this.peerSlot || token !== this.peerToken) return false;
    if (this.state === "CONNECTED") this.peerLeft();
    return true;
  }

  protected peerLeft(): void {
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
    this.peerLeft();
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
    if (this.state === "CLOSING") this.destroy();
  }

  /** Slot k's incarnation ended (the kernel's scif_invalidate_ep); `nodeLost`: with its node. */
  slotGone(k: number, nodeLost: boolean): void {
    if (this.state === "LISTENING") {
      // Requests of a program that ended are forgotten; those of a node that was lost stay, for
      // accept to report ENODEV as the kernel does.
      if (nodeLost) return;
      this.conreqs.forgetSlot(k);
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
        this.peerLeft();
        return;
      case "CONNECTING":
        this.error = why(this.target());
        this.unconnect();
        break;
      case "ACCEPTING":
        this.qp?.detachPeer();
        this.error = nodeLost
          ? why(String(this.peerId!.node))
          : new ScifError("EAGAIN", "the requester is gone");
        this.state = "BOUND";
        break;
      case "CLOSING":
        this.destroy();
        break;
    }
    this.#wake();
  }

  /** Our own node was taken down (emu/_hotplug.ts): as on a card that is reset, what the
   * endpoint had is lost at once, unread bytes included. It is left BOUND with `reset` as the
   * answer of its calls (ECONNRESET for a connection, ENODEV for a connect, an accept or a
   * listener), and touches the network's memory no more: its queue pair and port are given
   * back with the slot (emu/_slots.ts reclaims them once every peer has let go of it). */
  nodeDown(): void {
    if (this.closed || this.reset) return;
    const was = this.state;
    const id = this.node.nodeId;
    this.reset = was === "CONNECTED" || was === "DISCONNECTED"
      ? new ScifError("ECONNRESET", `node ${id} was taken down: the connection is reset`)
      : new ScifError("ENODEV", `node ${id} is down`);
    this.error = this.reset; // a connect or an accept-side handshake in progress ends with it
    this.rma?.peerGone();
    this.conreqs.takeAll();
    this.qp?.wake(); // calls asleep on the ring look again, and see the state
    this.qp = null;
    this.stream = null;
    this.#portReleased = true;
    if (was !== "UNBOUND") this.state = "BOUND";
    this.node.kick();
  }

  /** Back to BOUND after a failed connect; nobody references our block. */
  protected unconnect(): void {
    this.state = "BOUND";
    this.peerSlot = -1;
    this.qp?.free();
    this.qp = null;
  }

  /** The port a connect is talking to, for its errors. */
  protected target(): string {
    const p = this.peerId ?? this.dst;
    return p ? `${p.node}:${p.port}` : "the destination";
  }

  /** Forgets the endpoint entirely: port, queue pair, table entry. */
  protected destroy(): void {
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
