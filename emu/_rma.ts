// Memory registration, RMA and remote mmap of one emulated endpoint (the kernel's scif_rma.c,
// scif_dma.c, scif_mmap.c): its registered address space, its copy of the peer's, the window
// bookkeeping messages between them, transfers (emu/_transfer.ts) and mappings of the peer's
// windows (emu/_rma_mmap.ts).
//
// Invariants:
// - The peer reaches only windows it learnt of by SCIF_REGISTER, with the protection
//   registered, and a SCIF_REGISTER is believed only for memory the peer's slot allocated as a
//   program's memory (never a queue pair): a buggy peer cannot make us reach anything else.
//   Before every lookup the endpoint takes in the control messages its peer's slot has sent,
//   so a window registered (or unregistered) before the peer was told about it by any other
//   means is known (or gone) by then.
// - A window's memory holds a reference (emu/_heap.ts) until the window is destroyed, which
//   happens only once it is unregistered (or its endpoint closed), the peer has no mapping of
//   it (SCIF_UNREGISTER_ACK, or SCIF_MUNMAP later), and the DMA engines have finished what
//   they had queued when that was known: nothing can touch freed memory.
// - A mapping stays valid until munmap, even after the owner unregisters, closes or ends: the
//   slot does not let go of a peer's incarnation while it maps its windows (emu/_slots.ts).

import {
  SCIF_PROT_READ,
  SCIF_PROT_WRITE,
  SCIF_RMA_ORDERED,
  SCIF_RMA_SYNC,
  SCIF_RMA_USECACHE,
  SCIF_RMA_USECPU,
} from "../constants.ts";
import { ScifError } from "../errors.ts";
import type { DispatchedRma } from "./_dispatch.ts";
import {
  type Message,
  SCIF_MUNMAP,
  SCIF_REGISTER,
  type SCIF_RMA_XFER_DONE,
  SCIF_UNREGISTER,
  SCIF_UNREGISTER_ACK,
  SCIF_UNREGISTER_NACK,
} from "./_messages.ts";
import { type Window, WindowList } from "../_window.ts";
import { type Off, offText } from "../_offset.ts";
import { type Direction, move, zip } from "./_transfer.ts";
import { S_STANDIN } from "./_layout.ts";
import { FarRma } from "./_rma_far.ts";
import { RemoteMaps } from "./_rma_mmap.ts";
import type { LocalWindow, RemoteWindow, RmaLink } from "./_rma_types.ts";

export type { RmaHost, RmaLink } from "./_rma_types.ts";

const RMA_FLAGS = SCIF_RMA_USECPU | SCIF_RMA_SYNC | SCIF_RMA_ORDERED;

/** The RMA state of one endpoint. */
export class EndpointRma implements DispatchedRma {
  readonly #link: RmaLink;
  readonly #local = new WindowList<LocalWindow>();
  readonly #remote = new WindowList<RemoteWindow>();
  readonly #dying = new Map<number, LocalWindow>(); // unregistered, waiting for the peer's word
  readonly #maps: RemoteMaps; // our mappings of the peer's windows
  #nextId = 1;
  readonly #far: FarRma; // transfers to a peer on another machine
  #peerGone = false;

  constructor(link: RmaLink) {
    this.#link = link;
    this.#far = new FarRma(link, this.#local);
    this.#maps = new RemoteMaps(link, this.#remote, () => this.#peerFar(), () => this.#peerGone);
  }

  /** True when nothing is left that messages could still be about. */
  get empty(): boolean {
    return this.#local.size === 0 && this.#dying.size === 0 && this.#maps.size === 0 &&
      this.#far.pending === 0;
  }

  isPeer(from: number): boolean {
    return from === this.#link.peerSlot;
  }

  /** Whether the peer stands in for a node of another machine (its windows are there). */
  #peerFar(): boolean {
    return this.#link.node.net.slot(this.#link.peerSlot, S_STANDIN) === 1;
  }

  // ---- scif_register, scif_unregister ----

  /** A fixed offset may be anywhere the kernel allows ([0, 2^63), checked by the caller); the
   * offsets we choose are below 2^53 (numbers). */
  register(memory: Uint8Array, offset: Off | undefined, prot: number, fixed: boolean): Off {
    const node = this.#link.node;
    const net = node.net;
    if (memory.buffer !== net.memory.buffer) {
      throw new ScifError(
        "EFAULT",
        "the memory is not in the network's shared memory (use ScifNode.allocate)",
      );
    }
    const run = net.heap.runOf(memory.byteOffset);
    if (
      !run || !run.user || run.owner !== node.slot ||
      memory.byteOffset + memory.byteLength > run.head + run.bytes
    ) {
      throw new ScifError("EFAULT", "the memory is not inside one live allocation of this node's allocate()");
    }
    const length = memory.byteLength;
    let at: Off;
    if (fixed) {
      at = offset!;
      if (this.#local.overlaps(at, length)) {
        throw new ScifError("EADDRINUSE", `[${offText(at)}, +${length}) overlaps a window`);
      }
    } else {
      at = this.#local.allocate(length);
      if (at < 0) throw new ScifError("ENOMEM", "no free range of registered offsets is large enough");
    }
    const w: LocalWindow = {
      id: this.#nextId++,
      offset: at,
      length,
      addr: memory.byteOffset,
      prot,
      run: run.head,
    };
    net.heap.retain(w.run);
    this.#local.insert(w);
    if (!this.#peerFar()) node.dma.start(); // RMA is coming: a Worker started by a Worker takes a while
    const peer = this.#link.peer()!;
    node.postOrdered(peer.slot, {
      op: SCIF_REGISTER,
      src: this.#link.localId,
      dst: peer.id,
      token: peer.token,
      id: w.id,
      prot,
      offset: at,
      length,
      addr: w.addr,
    });
    return at;
  }

  unregister(offset: Off, length: number): void {
    for (const w of this.#local.exactly(offset, length)) this.#retire(w);
  }

  /** Takes a window out of the address space and asks the peer to let go of it. */
  #retire(w: LocalWindow): void {
    this.#local.remove(w);
    const peer = this.#link.peer();
    const told = peer &&
      this.#link.node.tryPost(peer.slot, {
        op: SCIF_UNREGISTER,
        src: this.#link.localId,
        dst: peer.id,
        token: peer.token,
        id: w.id,
        from: this.#link.token,
      });
    if (told) this.#dying.set(w.id, w);
    else this.#destroy(w);
  }

  /** Releases a window's memory once our own queued transfers are done with it. */
  #destroy(w: LocalWindow): void {
    const node = this.#link.node;
    node.afterDma(() => node.net.heap.release(w.run, node.slot));
  }

  /** The peer's side of our windows. */
  message(m: Message): void {
    switch (m.op) {
      case SCIF_REGISTER: {
        // Only memory the peer's slot allocated for a program can be a window.
        const run = this.#link.node.net.heap.runOf(m.addr);
        if (
          !run || !run.user || run.owner !== this.#link.peerSlot ||
          m.addr + m.length > run.head + run.bytes ||
          this.#remote.overlaps(m.offset, m.length) || this.#remote.byId(m.id)
        ) {
          this.#link.node.dropped();
          return;
        }
        this.#remote.insert({
          id: m.id,
          offset: m.offset,
          length: m.length,
          addr: m.addr,
          prot: m.prot,
          maps: 0,
          unregistered: false,
        });
        break;
      }
      case SCIF_UNREGISTER: {
        const w = this.#remote.byId(m.id);
        if (w) this.#remote.remove(w);
        if (w && w.maps > 0) {
          // Mapped: the owner keeps the memory until our last munmap (SCIF_MUNMAP).
          w.unregistered = true;
          this.#link.node.tryPost(this.#link.peerSlot, {
            op: SCIF_UNREGISTER_NACK,
            src: m.dst,
            dst: m.src,
            token: m.from,
            id: m.id,
          });
        } else this.#link.node.unregisterAck(this.#link.peerSlot, m);
        break;
      }
      case SCIF_UNREGISTER_ACK:
      case SCIF_MUNMAP: {
        const w = this.#dying.get(m.id);
        if (w) {
          this.#dying.delete(m.id);
          this.#destroy(w);
        }
        break;
      }
    }
  }

  // ---- RMA: scif_readfrom, scif_writeto, scif_vreadfrom, scif_vwriteto ----

  /** Checks flags the way the kernel does, after the connection check. */
  static checkFlags(flags: number, vectored: boolean): void {
    const allowed = RMA_FLAGS | (vectored ? SCIF_RMA_USECACHE : 0);
    if ((flags & ~allowed) !== 0) {
      throw new ScifError(
        "EINVAL",
        `bad RMA flags 0x${flags.toString(16)}${
          vectored ? "" : " (SCIF_RMA_USECACHE is for vreadFrom/vwriteTo)"
        }`,
      );
    }
  }

  /** The run of the network's shared memory that holds all of `a`, if any (the DMA engine can
   * reach it); null for a private array. */
  #runOf(a: Uint8Array): number | null {
    const net = this.#link.node.net;
    if (a.buffer !== net.memory.buffer) return null;
    const run = net.heap.runOf(a.byteOffset);
    return run && a.byteOffset + a.byteLength <= run.head + run.bytes ? run.head : null;
  }

  /**
   * A transfer between our registered space at `local` (or the array `local`) and the peer's
   * at `remoteOffset`.
   */
  async transfer(
    dir: Direction,
    local: Off | Uint8Array,
    length: number,
    remoteOffset: Off,
    flags: number,
  ): Promise<void> {
    const node = this.#link.node;
    const vectored = local instanceof Uint8Array;
    EndpointRma.checkFlags(flags, vectored);
    if (length === 0) throw new ScifError("EINVAL", "the length is 0");
    const peer = this.#link.peer();
    if (peer && this.#peerFar()) {
      return this.#far.transfer(
        dir,
        local,
        vectored ? this.#runOf(local) : null,
        length,
        remoteOffset,
        flags,
        peer,
      );
    }
    node.pumpFrom(this.#link.peerSlot);
    const remote = this.#remote.cover(
      remoteOffset,
      length,
      dir === "read" ? SCIF_PROT_READ : SCIF_PROT_WRITE,
    );
    let localSpans: { addr: number; length: number }[];
    let buffer: Uint8Array | null = null;
    let held: number | null = null;
    if (!vectored) {
      // The kernel checks the local window too: readable to write from it, writable to read into it.
      localSpans = this.#local.cover(local, length, dir === "read" ? SCIF_PROT_WRITE : SCIF_PROT_READ);
    } else if ((held = this.#runOf(local)) !== null) {
      localSpans = [{ addr: local.byteOffset, length }]; // shared memory: the engine can reach it
    } else {
      buffer = local;
      localSpans = [{ addr: -1, length }];
    }
    await move(node.net, node.dma, dir, zip(localSpans, remote), buffer, flags, held, node.slot);
  }

  /** fenceSignal's SCIF_SIGNAL_REMOTE to a peer on another machine. */
  delegateSignal(remoteOffset: Off, value: bigint): Promise<void> {
    return this.#far.signal(remoteOffset, value);
  }

  /** Whether the peer's windows are on another machine (fences then have nothing to wait for). */
  get far(): boolean {
    return this.#peerFar();
  }

  /** SCIF_RMA_XFER_DONE for a transfer to a peer on another machine. */
  delegatedDone(m: Extract<Message, { op: typeof SCIF_RMA_XFER_DONE }>): void {
    this.#far.done(m);
  }

  /** scif_fence_signal's window check: 8 bytes in one window that allows writing, on our side
   * or the peer's; resolves to their address. */
  signalAddress(side: "local" | "remote", offset: Off): number {
    if (side === "remote") this.#link.node.pumpFrom(this.#link.peerSlot);
    const list: WindowList<Window> = side === "local" ? this.#local : this.#remote;
    const pieces = list.cover(offset, 8, SCIF_PROT_WRITE);
    if (pieces.length !== 1) {
      throw new ScifError("ENXIO", `the 8 bytes at ${offText(offset)} cross the end of a window`);
    }
    return pieces[0].addr;
  }

  // ---- remote mmap (emu/_rma_mmap.ts) ----

  mmap(offset: Off, length: number, prot: number): Uint8Array {
    return this.#maps.mmap(offset, length, prot);
  }

  munmap(view: Uint8Array): void {
    this.#maps.munmap(view);
  }

  // ---- teardown ----

  /** Our endpoint closes: every window of ours is retired (the peer may keep mapping them
   * until it unmaps), and our copies of the peer's windows are forgotten, mappings excepted. */
  close(): void {
    for (const w of [...this.#local.windows]) this.#retire(w);
    for (const w of [...this.#remote.windows]) {
      this.#remote.remove(w);
      w.unregistered = true;
    }
  }

  /** The peer's incarnation ended: nothing of ours is in its hands. Mappings of its windows
   * stay until munmap (its memory is held until then). */
  peerGone(): void {
    this.#peerGone = true;
    this.#far.peerGone();
    for (const w of [...this.#local.windows, ...this.#dying.values()]) {
      this.#local.remove(w);
      this.#destroy(w);
    }
    this.#dying.clear();
    for (const w of [...this.#remote.windows]) this.#remote.remove(w);
  }
}
