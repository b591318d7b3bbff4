// The calls of a connected emulated endpoint that only move data (send, recv, poll's view) or
// reach windows (registration, RMA, fences, mmap): each checks the connection the way the
// kernel's scif_verify_epd does and hands the call to the endpoint's stream (emu/_stream.ts),
// RMA state (emu/_rma.ts) or fences (emu/_fences.ts), which it makes when a connection first
// needs them. The state machine that makes connections (emu/_endpoint.ts) and ends them
// (emu/_endpoint_close.ts) extends this.

import { POLLERR, POLLIN } from "../constants.ts";
import { ScifError } from "../errors.ts";
import type { Off } from "../_offset.ts";
import type { PortId } from "../types.ts";
import type { EndpointQp } from "./_qp.ts";
import { EndpointRma } from "./_rma.ts";
import type { EndpointStream } from "./_stream.ts";
import { EndpointFences } from "./_fences.ts";
import type { EndpointHost, EpState } from "./_endpoint_types.ts";
import { countRma, EndpointCounters } from "../_stats.ts";
import { delay } from "../_delay.ts";
import { FAULT_DELAY, faultBits, sendDelay } from "./_faults.ts";

/** The data and window calls of an endpoint, over the parts its state machine makes. */
export abstract class EndpointCalls {
  abstract readonly node: EndpointHost<unknown>;
  abstract readonly token: number;
  abstract state: EpState;
  abstract localId: PortId | null;
  abstract peerId: PortId | null;
  abstract peerToken: number;
  abstract peerSlot: number;
  abstract readonly closed: boolean;
  /** How many connection requests a listener holds. */
  protected abstract pendingRequests(): number;
  protected qp: EndpointQp | null = null;
  protected stream: EndpointStream | null = null;
  protected rma: EndpointRma | null = null;
  protected fences: EndpointFences | null = null;
  /** The incarnation of the peer's slot we are connected to. */
  protected peerEpoch = -1;
  /** Set when our own node was taken down (EndpointClose.nodeDown): what every stream, RMA and
   * accept call answers from then on. */
  protected reset: ScifError | null = null;
  /** What this endpoint did (ScifNode.stats); only this thread writes it. */
  readonly counters = new EndpointCounters();

  // ---- scif_send, scif_recv, scif_poll: the stream ----

  /** The error of a stream call in a state without a stream. */
  streamError(): ScifError {
    if (this.reset) return this.reset;
    return this.state === "DISCONNECTED"
      ? new ScifError("ECONNRESET", "the peer closed the connection")
      : new ScifError("ENOTCONN", `the endpoint is not connected (${this.state})`);
  }

  send(data: Uint8Array, block: boolean, signal?: AbortSignal): Promise<number> {
    // Fault injection (emu/_faults.ts): one load and a branch per call while no plan is set.
    if (faultBits(this.node.net) & FAULT_DELAY) return this.#delayedSend(data, block, signal);
    return this.#send(data, block, signal);
  }

  /** Sends injected with delay (one chain per endpoint: what is sent stays in order). */
  #delayChain: Promise<unknown> = Promise.resolve();
  #delayedSends = 0;

  #delayedSend(data: Uint8Array, block: boolean, signal?: AbortSignal): Promise<number> {
    const ms = sendDelay(this.node.net, this.node.nodeId, this.#delayedSends++);
    const sent = this.#delayChain.then(() => delay(ms)).then(() => this.#send(data, block, signal));
    this.#delayChain = sent.catch(() => {});
    return sent;
  }

  #send(data: Uint8Array, block: boolean, signal?: AbortSignal): Promise<number> {
    if (this.stream && this.state === "CONNECTED") return this.stream.send(data, block, signal);
    if (data.length === 0) return Promise.resolve(0);
    return Promise.reject(this.streamError());
  }

  recv(into: Uint8Array, block: boolean, signal?: AbortSignal): Promise<number> {
    if (this.stream && (this.state === "CONNECTED" || this.state === "DISCONNECTED")) {
      return this.stream.recv(into, block, signal);
    }
    if (into.length === 0) return Promise.resolve(0);
    return Promise.reject(this.streamError());
  }

  /** Waits for at least one byte and takes what is there (up to into.length); 0 once the peer
   * closed and everything it sent was taken (or, for a bridge, once the endpoint was closed).
   * ENOTCONN on an endpoint that never connected. */
  recvSome(into: Uint8Array, signal?: AbortSignal): Promise<number> {
    return this.stream ? this.stream.recvSome(into, signal) : Promise.reject(this.streamError());
  }

  /** Handles now what the peer's slot has sent (a call that moved nothing looks for a
   * disconnect this way, without waiting for the dispatcher's turn). */
  pumpPeer(): void {
    this.node.pumpFrom(this.peerSlot);
  }

  /** The poll events that hold now (the kernel's __scif_pollfd). */
  pollEvents(): number {
    if (this.state === "LISTENING") return this.pendingRequests() > 0 ? POLLIN : 0;
    // The kernel's poll waits on a connect in progress; its end is POLLOUT (CONNECTED, or a
    // refusal: the endpoint is BOUND again, which polls as POLLERR).
    if (this.state === "CONNECTING") return 0;
    return this.stream ? this.stream.pollEvents() : POLLERR;
  }

  /** Cells a poll sleeps on for `events`, announced to the peer (see EndpointQp.announce). */
  pollCells(events: number): [number, number][] {
    return this.stream && this.state === "CONNECTED" ? this.stream.pollCells(events) : [];
  }

  /** Withdraws what pollCells announced. */
  pollDone(): void {
    this.qp?.unannounce();
  }

  /** Publishes what our receive ring has consumed (the node does it for all when rung). */
  publishConsumption(): void {
    if (this.state === "CONNECTED") this.qp!.publish();
  }

  // ---- registration, RMA, fences, mmap (the connection check is the kernel's scif_verify_epd) ----

  protected verified(): EndpointRma {
    if (this.reset) throw this.reset;
    if (this.state === "DISCONNECTED") throw new ScifError("ECONNRESET", "the peer closed the connection");
    if (this.state !== "CONNECTED") {
      throw new ScifError("ENOTCONN", `the endpoint is not connected (${this.state})`);
    }
    if (this.node.knownEpoch(this.peerSlot) !== this.peerEpoch) {
      throw new ScifError("ECONNRESET", "the peer closed the connection");
    }
    return this.ensureRma();
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

  register(memory: Uint8Array, offset: Off | undefined, prot: number, fixed: boolean): Off {
    // Its address is its place in the shared memory; the argument checks come first.
    if (memory.byteOffset % 4096 !== 0) {
      throw new ScifError("EINVAL", `the memory's address ${memory.byteOffset} is not page aligned`);
    }
    const at = this.verified().register(memory, offset, prot, fixed);
    this.counters.windowsRegistered++;
    return at;
  }

  unregister(offset: Off, length: number): void {
    this.verified().unregister(offset, length);
    this.counters.windowsUnregistered++;
  }

  // The RMA and fence calls count once they completed (after their await: no promise more).

  async readFrom(localOffset: Off, length: number, remoteOffset: Off, flags: number): Promise<void> {
    await this.verified().transfer("read", localOffset, length, remoteOffset, flags);
    countRma(this.counters, false, length);
  }

  async writeTo(localOffset: Off, length: number, remoteOffset: Off, flags: number): Promise<void> {
    await this.verified().transfer("write", localOffset, length, remoteOffset, flags);
    countRma(this.counters, true, length);
  }

  async vreadFrom(into: Uint8Array, remoteOffset: Off, flags: number): Promise<void> {
    const length = into.length;
    await this.verified().transfer("read", into, length, remoteOffset, flags);
    countRma(this.counters, false, length);
  }

  async vwriteTo(from: Uint8Array, remoteOffset: Off, flags: number): Promise<void> {
    const length = from.length;
    await this.verified().transfer("write", from, length, remoteOffset, flags);
    countRma(this.counters, true, length);
  }

  async fenceMark(flags: number): Promise<number> {
    this.verified();
    const mark = await this.fences!.mark(flags);
    this.counters.fenceMarks++;
    return mark;
  }

  async fenceWait(mark: number, signal?: AbortSignal): Promise<void> {
    this.verified();
    await this.fences!.wait(mark, () => {
      try {
        this.verified();
        return null;
      } catch (e) {
        return e as ScifError;
      }
    }, signal);
    this.counters.fenceWaits++;
  }

  async fenceSignal(
    localOffset: Off,
    localValue: bigint,
    remoteOffset: Off,
    remoteValue: bigint,
    flags: number,
  ): Promise<void> {
    this.verified();
    await this.fences!.signal(localOffset, localValue, remoteOffset, remoteValue, flags);
    this.counters.fenceSignals++;
  }

  mmap(remoteOffset: Off, length: number, prot: number): Uint8Array {
    return this.verified().mmap(remoteOffset, length, prot);
  }

  munmap(view: Uint8Array): void {
    // Unmapping is allowed in any state: the mapping outlives the connection.
    (this.rma ?? this.verified()).munmap(view);
    if (this.closed) this.node.keepZombie(this.token, this.rma!, this.peerSlot);
  }
}
