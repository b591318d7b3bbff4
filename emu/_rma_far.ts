// RMA with a peer on another machine (through its stand-in, emu/bus/tcp_bridge.ts): its windows
// are in memory this machine cannot reach, so each contiguous piece of ours goes to the peer's
// stand-in as SCIF_RMA_XFER, at most a MiB at a time (the bridge's frames are bounded); its
// bridge performs the transfer at the far end, copies read bytes into our memory, and answers
// SCIF_RMA_XFER_DONE. Such a transfer is complete when its call resolves, whatever the flags, so
// fences have nothing more to wait for.

import { SCIF_PROT_READ, SCIF_PROT_WRITE } from "../constants.ts";
import { ScifError } from "../errors.ts";
import type { PortId } from "../types.ts";
import type { WindowList } from "../_window.ts";
import { type Off, offAdd } from "../_offset.ts";
import {
  type Message,
  SCIF_RMA_XFER,
  type SCIF_RMA_XFER_DONE,
  XFER_READ,
  XFER_SIGNAL,
  XFER_WRITE,
} from "./_messages.ts";
import type { LocalWindow, RmaLink } from "./_rma_types.ts";
import type { Direction } from "./_transfer.ts";
import { keepAlive } from "./_wait.ts";

/** The largest piece of one SCIF_RMA_XFER. */
export const XFER_PIECE = 1 << 20;

type Peer = { id: PortId; token: number; slot: number };

/** An endpoint's transfers to a peer on another machine. */
export class FarRma {
  readonly #link: RmaLink;
  readonly #local: WindowList<LocalWindow>;
  readonly #pending = new Map<number, { resolve(): void; reject(e: ScifError): void }>();
  #nextRequest = 1;

  constructor(link: RmaLink, local: WindowList<LocalWindow>) {
    this.#link = link;
    this.#local = local;
  }

  /** Requests waiting for their answer. */
  get pending(): number {
    return this.#pending.size;
  }

  /** A transfer between our registered space at `local` (or the array `local`, `run` the heap
   * run that holds it when it is in shared memory) and the peer's at `remoteOffset`. */
  async transfer(
    dir: Direction,
    local: Off | Uint8Array,
    run: number | null,
    length: number,
    remoteOffset: Off,
    flags: number,
    peer: Peer,
  ): Promise<void> {
    const node = this.#link.node;
    const net = node.net;
    let spans: { addr: number; length: number }[];
    // The heap runs the bridge's thread will touch stay allocated until the call is over,
    // whatever happens to the windows meanwhile.
    const held: number[] = [];
    let temp = 0; // a private array's bytes, in shared memory the bridge's thread can reach
    if (!(local instanceof Uint8Array)) {
      const covered = this.#local.cover(local, length, dir === "read" ? SCIF_PROT_WRITE : SCIF_PROT_READ);
      for (const p of covered) held.push(p.window.run);
      spans = covered;
    } else if (run !== null) {
      held.push(run);
      spans = [{ addr: local.byteOffset, length }];
    } else {
      temp = net.heap.alloc(Math.ceil(length / 4096) * 4096, node.slot);
      if (temp === 0) throw new ScifError("ENOMEM", "no shared memory left to stage the transfer");
      if (dir === "write") net.u8.set(local, temp);
      spans = [{ addr: temp, length }];
    }
    for (const r of held) net.heap.retain(r);
    try {
      // A range that would run past the off_t range is in no window: ENXIO before any piece goes
      // (after the local side's checks, as in the kernel).
      offAdd(remoteOffset, length);
      let at = remoteOffset;
      for (const p of spans) {
        for (let done = 0; done < p.length; done += XFER_PIECE) {
          const n = Math.min(XFER_PIECE, p.length - done);
          await this.#xfer(peer, dir === "read" ? XFER_READ : XFER_WRITE, at, p.addr + done, n, 0n, flags);
          at = offAdd(at, n);
        }
      }
      if (temp && dir === "read") (local as Uint8Array).set(net.u8.subarray(temp, temp + length));
    } finally {
      if (temp) net.heap.release(temp, node.slot);
      for (const r of held) net.heap.release(r, node.slot);
    }
  }

  /** fenceSignal's SCIF_SIGNAL_REMOTE. */
  signal(remoteOffset: Off, value: bigint): Promise<void> {
    const peer = this.#link.peer();
    if (!peer) return Promise.reject(new ScifError("ECONNRESET", "the peer closed the connection"));
    return this.#xfer(peer, XFER_SIGNAL, remoteOffset, 0, 0, value, 0);
  }

  #xfer(
    peer: Peer,
    kind: number,
    offset: Off,
    addr: number,
    length: number,
    value: bigint,
    flags: number,
  ): Promise<void> {
    const request = this.#nextRequest++;
    const done = new Promise<void>((resolve, reject) => this.#pending.set(request, { resolve, reject }));
    this.#link.node.post(peer.slot, {
      op: SCIF_RMA_XFER,
      src: this.#link.localId,
      dst: peer.id,
      token: peer.token,
      from: this.#link.token,
      request,
      kind,
      flags,
      offset,
      addr,
      length,
      value,
    });
    return keepAlive(done);
  }

  /** SCIF_RMA_XFER_DONE: errno 0 (done) or the errno at the far end. */
  done(m: Extract<Message, { op: typeof SCIF_RMA_XFER_DONE }>): void {
    const waiter = this.#pending.get(m.request);
    if (!waiter) return;
    this.#pending.delete(m.request);
    if (m.errno === 0) waiter.resolve();
    else waiter.reject(ScifError.fromErrno(m.errno, `at node ${m.src.node}, on another machine`));
  }

  /** The peer is gone: what waits for it fails. */
  peerGone(): void {
    for (const w of this.#pending.values()) w.reject(new ScifError("ECONNRESET", "the peer is gone"));
    this.#pending.clear();
  }
}
