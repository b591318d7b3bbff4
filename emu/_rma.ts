// Memory registration, RMA and remote mmap of one emulated endpoint (the kernel's scif_rma.c,
// scif_dma.c, scif_mmap.c): its registered address space, its copy of the peer's, the window
// bookkeeping messages between them, and transfers.
//
// Invariants:
// - The peer reaches only windows it learnt of by SCIF_REGISTER, with the protection
//   registered. Before every lookup the endpoint takes in the control messages its peer's node
//   has sent, so a window registered (or unregistered) before the peer was told about it by any
//   other means is known (or gone) by then.
// - A window's memory holds a reference (emu/_heap.ts) until the window is destroyed, which
//   happens only once it is unregistered (or its endpoint closed), the peer has no mapping of
//   it (SCIF_UNREGISTER_ACK, or SCIF_MUNMAP later), and the DMA engines have finished what
//   they had queued when that was known: nothing can touch freed memory.
// - A mapping stays valid until munmap, even after the owner unregisters or closes; after the
//   owner's node is lost its contents are undefined (the kernel zaps such mappings).

import {
  SCIF_PROT_READ,
  SCIF_PROT_WRITE,
  SCIF_RMA_ORDERED,
  SCIF_RMA_SYNC,
  SCIF_RMA_USECACHE,
  SCIF_RMA_USECPU,
} from "../constants.ts";
import { ScifError } from "../errors.ts";
import type { PortId } from "../types.ts";
import { orderedCopy } from "./_copy.ts";
import type { EmuNode } from "./_node.ts";
import type { Message } from "./_nodeqp.ts";
import {
  SCIF_MUNMAP,
  SCIF_REGISTER,
  SCIF_RMA_XFER,
  SCIF_UNREGISTER,
  SCIF_UNREGISTER_ACK,
  SCIF_UNREGISTER_NACK,
} from "./_ops.ts";
import { type Piece, type Window, WindowList } from "../_window.ts";
import { keepAlive } from "./_wait.ts";

/** One of our windows. */
interface LocalWindow extends Window {
  /** The head of the heap run its memory is in (one reference held). */
  readonly run: number;
}

/** One of the peer's windows, as we know it. */
interface RemoteWindow extends Window {
  maps: number;
  unregistered: boolean;
}

/** Which end of the connection a transfer's data comes from. */
export type Direction = "read" | "write";

/** What the endpoint tells its RMA state about the connection. */
export interface RmaLink {
  readonly node: EmuNode;
  readonly token: number;
  readonly localId: PortId;
  /** The peer's port id and endpoint token while it can hear us, else null. */
  peer(): { id: PortId; token: number } | null;
}

const RMA_FLAGS = SCIF_RMA_USECPU | SCIF_RMA_SYNC | SCIF_RMA_ORDERED;
/** Kinds of SCIF_RMA_XFER (an RMA with a node of another process, emu/_bridge.ts). */
export const XFER_WRITE = 1;
export const XFER_READ = 2;
export const XFER_SIGNAL = 3;
/** SYNC transfers from this size are shared between the calling thread and the DMA engine. */
const SHARE_FROM = 256 * 1024;

/** The RMA state of one endpoint. */
export class EndpointRma {
  readonly #link: RmaLink;
  readonly #local = new WindowList<LocalWindow>();
  readonly #remote = new WindowList<RemoteWindow>();
  readonly #dying = new Map<number, LocalWindow>(); // unregistered, waiting for the peer's word
  readonly #maps = new Map<Uint8Array, RemoteWindow[]>();
  #nextId = 1;
  // RMAs handed to the bridge of a peer in another process, waiting for SCIF_RMA_XFER_DONE.
  readonly #delegated = new Map<number, { resolve(): void; reject(e: ScifError): void }>();
  #nextRequest = 1;

  constructor(link: RmaLink) {
    this.#link = link;
  }

  /** True when nothing is left that messages could still be about. */
  get empty(): boolean {
    return this.#local.windows.length === 0 && this.#dying.size === 0 && this.#maps.size === 0 &&
      this.#delegated.size === 0;
  }

  // ---- scif_register, scif_unregister ----

  register(memory: Uint8Array, offset: number | undefined, prot: number, fixed: boolean): number {
    const net = this.#link.node.net;
    if (memory.buffer !== net.memory.buffer) {
      throw new ScifError(
        "EFAULT",
        "the memory is not in the network's shared memory (use ScifNode.allocate)",
      );
    }
    const run = net.heap.runOf(memory.byteOffset);
    if (!run || memory.byteOffset + memory.byteLength > run[0] + run[1]) {
      throw new ScifError("EFAULT", "the memory is not inside one live allocation of ScifNode.allocate");
    }
    const length = memory.byteLength;
    let at: number;
    if (fixed) {
      at = offset!;
      if (this.#local.overlaps(at, length)) {
        throw new ScifError("EADDRINUSE", `[${at}, +${length}) overlaps a window`);
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
      run: run[0],
    };
    net.heap.retain(w.run);
    this.#local.insert(w);
    this.#link.node.dma.start(); // RMA is coming: a Worker started by a Worker takes a while
    // SCIF_REGISTER: p0 the peer's token | prot << 32, p1 offset, p2 length, p3 address | id << 32.
    const peer = this.#link.peer()!;
    this.#link.node.postOrdered(
      SCIF_REGISTER,
      this.#link.localId,
      peer.id,
      BigInt(peer.token) | (BigInt(prot) << 32n),
      BigInt(at),
      BigInt(length),
      BigInt(w.addr) | (BigInt(w.id) << 32n),
    );
    return at;
  }

  unregister(offset: number, length: number): void {
    for (const w of this.#local.exactly(offset, length)) this.#retire(w);
  }

  /** Takes a window out of the address space and asks the peer to let go of it. */
  #retire(w: LocalWindow): void {
    this.#local.remove(w);
    const peer = this.#link.peer();
    // SCIF_UNREGISTER: p0 the peer's token, p1 the window id, p2 our token (for the answer).
    const told = peer &&
      this.#link.node.tryPost(
        SCIF_UNREGISTER,
        this.#link.localId,
        peer.id,
        BigInt(peer.token),
        BigInt(w.id),
        BigInt(this.#link.token),
      );
    if (told) {
      this.#dying.set(w.id, w);
    } else {
      this.#destroy(w);
    }
  }

  /** Releases a window's memory once our own queued transfers are done with it. */
  #destroy(w: LocalWindow): void {
    const heap = this.#link.node.net.heap;
    this.#link.node.afterDma(() => heap.release(w.run));
  }

  /** The peer's side of our windows. */
  message(m: Message): void {
    const id = Number(m.p[1]);
    switch (m.op) {
      case SCIF_REGISTER: {
        const w: RemoteWindow = {
          id: Number(m.p[3] >> 32n),
          offset: Number(m.p[1]),
          length: Number(m.p[2]),
          addr: Number(m.p[3] & 0xffffffffn),
          prot: Number(m.p[0] >> 32n),
          maps: 0,
          unregistered: false,
        };
        this.#remote.insert(w);
        break;
      }
      case SCIF_UNREGISTER: {
        const w = this.#remote.byId(id);
        if (w) this.#remote.remove(w);
        if (w && w.maps > 0) {
          // Mapped: the owner keeps the memory until our last munmap (SCIF_MUNMAP).
          w.unregistered = true;
          this.#link.node.tryPost(SCIF_UNREGISTER_NACK, m.dst, m.src, m.p[2], m.p[1]);
        } else {
          unregisterAck(this.#link.node, m);
        }
        break;
      }
      case SCIF_UNREGISTER_ACK:
      case SCIF_MUNMAP: {
        const w = this.#dying.get(id);
        if (w) {
          this.#dying.delete(id);
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

  /**
   * A transfer between our registered space at `local` (or the array `local`) and the peer's
   * at `remoteOffset`. "read" brings the peer's bytes to us, "write" takes ours to the peer.
   */
  async transfer(
    dir: Direction,
    local: number | Uint8Array,
    length: number,
    remoteOffset: number,
    flags: number,
  ): Promise<void> {
    const node = this.#link.node;
    const net = node.net;
    EndpointRma.checkFlags(flags, typeof local !== "number");
    if (length === 0) throw new ScifError("EINVAL", "the length is 0");
    const peer = this.#link.peer();
    if (peer && node.isRemote(peer.id.node)) {
      return this.#delegate(dir, local, length, remoteOffset, flags, peer);
    }
    node.pumpFrom(this.#link.peer()?.id.node);
    const remote = this.#remote.cover(
      remoteOffset,
      length,
      dir === "read" ? SCIF_PROT_READ : SCIF_PROT_WRITE,
    );
    let localPieces: { addr: number; length: number }[];
    let buffer: Uint8Array | null = null;
    if (typeof local === "number") {
      // The kernel checks the local window too: readable to write from it, writable to read into it.
      localPieces = this.#local.cover(local, length, dir === "read" ? SCIF_PROT_WRITE : SCIF_PROT_READ);
    } else if (local.buffer === net.memory.buffer && net.heap.runOf(local.byteOffset)) {
      localPieces = [{ addr: local.byteOffset, length }]; // shared memory: the engine can reach it
    } else {
      buffer = local;
      localPieces = [{ addr: -1, length }];
    }
    const ordered = (flags & SCIF_RMA_ORDERED) !== 0;
    const segments = zip(localPieces, remote);
    const dma = node.dma;
    const byCpu = buffer !== null || (flags & SCIF_RMA_USECPU) !== 0 ||
      ((flags & SCIF_RMA_SYNC) !== 0 && dma.idle);
    if (byCpu) {
      // A large SYNC transfer is shared with the engine, as a second channel: it takes the back
      // half while this thread copies the front (two cores move memory faster than one).
      const share = buffer === null && !ordered && (flags & SCIF_RMA_USECPU) === 0 && dma.started &&
        length >= SHARE_FROM;
      const [front, back] = share ? cut(segments, Math.floor(length / 2 / 64) * 64) : [segments, []];
      let seq = -1;
      for (const s of back) {
        seq = await (dir === "read"
          ? dma.copy(s.local, s.remote, s.length, false)
          : dma.copy(s.remote, s.local, s.length, false));
      }
      front.forEach((s, i) => {
        const last = ordered && i === front.length - 1;
        if (buffer) {
          if (dir === "read") buffer.set(net.u8.subarray(s.remote, s.remote + s.length), s.local);
          else orderedCopyFrom(net.u8, buffer, s.remote, s.local, s.length, last);
        } else if (dir === "read") orderedCopy(net.core.mem_copy, net.u8, s.local, s.remote, s.length, last);
        else orderedCopy(net.core.mem_copy, net.u8, s.remote, s.local, s.length, last);
      });
      if (seq >= 0) await dma.waitFor(seq, net.spins);
      return;
    }
    // Queued to the node's DMA engine. Memory of ours that is not a window (a v* array from
    // ScifNode.allocate) is held until the engine is done with it.
    const held = typeof local === "number" ? null : net.heap.runOf(local.byteOffset)![0];
    if (held !== null) net.heap.retain(held);
    let seq = 0;
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i];
      const last = ordered && i === segments.length - 1;
      seq = dir === "read"
        ? await dma.copy(s.local, s.remote, s.length, last)
        : await dma.copy(s.remote, s.local, s.length, last);
    }
    if (held !== null) dma.after(seq, () => net.heap.release(held));
    if (flags & SCIF_RMA_SYNC) await dma.waitFor(seq, net.spins);
  }

  // ---- RMA with a peer in another process ----
  //
  // Its windows are in memory this process cannot reach, so each contiguous piece of ours goes
  // to the peer's stand-in as SCIF_RMA_XFER (p0 the stand-in endpoint's token | request id
  // << 32, p1 the remote offset, p2 our address << 32 | length, or the u64 value to store,
  // p3 kind | flags << 8 | our token << 32); its bridge performs the transfer at the far end, copies read bytes
  // into our memory, and answers SCIF_RMA_XFER_DONE. Such a transfer is complete when its
  // call resolves, whatever the flags, so fences have nothing more to wait for.

  async #delegate(
    dir: Direction,
    local: number | Uint8Array,
    length: number,
    remoteOffset: number,
    flags: number,
    peer: { id: PortId; token: number },
  ): Promise<void> {
    const net = this.#link.node.net;
    let pieces: { addr: number; length: number }[];
    // The heap runs the bridge's thread will touch stay allocated until the call is over,
    // whatever happens to the windows meanwhile.
    const held: number[] = [];
    let temp = 0; // a private array's bytes, in shared memory the bridge's thread can reach
    if (typeof local === "number") {
      const covered = this.#local.cover(local, length, dir === "read" ? SCIF_PROT_WRITE : SCIF_PROT_READ);
      for (const p of covered) held.push(p.window.run);
      pieces = covered;
    } else if (local.buffer === net.memory.buffer && net.heap.runOf(local.byteOffset)) {
      held.push(net.heap.runOf(local.byteOffset)![0]);
      pieces = [{ addr: local.byteOffset, length }];
    } else {
      temp = net.heap.alloc(Math.ceil(length / 4096) * 4096, this.#link.node.nodeId);
      if (temp === 0) throw new ScifError("ENOMEM", "no shared memory left to stage the transfer");
      if (dir === "write") net.u8.set(local, temp);
      pieces = [{ addr: temp, length }];
    }
    for (const run of held) net.heap.retain(run);
    try {
      let at = remoteOffset;
      for (const p of pieces) {
        await this.#xfer(
          peer,
          dir === "read" ? XFER_READ : XFER_WRITE,
          at,
          (BigInt(p.addr) << 32n) | BigInt(p.length),
          flags,
        );
        at += p.length;
      }
      if (temp && dir === "read") (local as Uint8Array).set(net.u8.subarray(temp, temp + length));
    } finally {
      if (temp) net.heap.release(temp);
      for (const run of held) net.heap.release(run);
    }
  }

  /** fenceSignal's SCIF_SIGNAL_REMOTE to a peer in another process. */
  delegateSignal(remoteOffset: number, value: bigint): Promise<void> {
    const peer = this.#link.peer();
    if (!peer) return Promise.reject(new ScifError("ECONNRESET", "the peer closed the connection"));
    return this.#xfer(peer, XFER_SIGNAL, remoteOffset, BigInt.asUintN(64, value), 0);
  }

  #xfer(
    peer: { id: PortId; token: number },
    kind: number,
    remote: number,
    p2: bigint,
    flags: number,
  ): Promise<void> {
    const id = this.#nextRequest++;
    const done = new Promise<void>((resolve, reject) => this.#delegated.set(id, { resolve, reject }));
    this.#link.node.post(
      SCIF_RMA_XFER,
      this.#link.localId,
      peer.id,
      BigInt(peer.token) | (BigInt(id) << 32n),
      BigInt(remote),
      p2,
      BigInt(kind) | (BigInt(flags) << 8n) | (BigInt(this.#link.token) << 32n),
    );
    return keepAlive(done);
  }

  /** SCIF_RMA_XFER_DONE: p0 our token | request id << 32, p1 0 or the errno at the far end. */
  delegatedDone(m: Message): void {
    const id = Number(m.p[0] >> 32n);
    const waiter = this.#delegated.get(id);
    if (!waiter) return;
    this.#delegated.delete(id);
    const errno = Number(m.p[1]);
    if (errno === 0) waiter.resolve();
    else waiter.reject(ScifError.fromErrno(errno, `at node ${m.src.node}, in another process`));
  }

  /** scif_fence_signal's window check: 8 bytes in one window that allows writing, on our side
   * or the peer's; resolves to their address. */
  signalAddress(side: "local" | "remote", offset: number): number {
    if (side === "remote") this.#link.node.pumpFrom(this.#link.peer()?.id.node);
    const list: WindowList<Window> = side === "local" ? this.#local : this.#remote;
    const pieces = list.cover(offset, 8, SCIF_PROT_WRITE);
    if (pieces.length !== 1) {
      throw new ScifError("ENXIO", `the 8 bytes at ${offset} cross the end of a window`);
    }
    return pieces[0].addr;
  }

  // ---- remote mmap ----

  mmap(offset: number, length: number, prot: number): Uint8Array {
    const node = this.#link.node;
    node.pumpFrom(this.#link.peer()?.id.node);
    const pages = Math.ceil(length / 4096) * 4096;
    const pieces = this.#remote.cover(offset, pages, prot);
    for (let i = 1; i < pieces.length; i++) {
      if (pieces[i].addr !== pieces[i - 1].addr + pieces[i - 1].length) {
        throw new ScifError(
          "EINVAL",
          "the range spans windows whose memory is not contiguous: map each window on its own",
        );
      }
    }
    const windows = pieces.map((p) => p.window);
    for (const w of windows) w.maps++;
    const view = new Uint8Array(node.net.memory.buffer, pieces[0].addr, length);
    this.#maps.set(view, windows);
    return view;
  }

  munmap(view: Uint8Array): void {
    const windows = this.#maps.get(view);
    if (!windows) {
      throw new ScifError("EINVAL", "not a view this endpoint's mmap returned (or already unmapped)");
    }
    this.#maps.delete(view);
    for (const w of windows) {
      if (--w.maps > 0 || !w.unregistered) continue;
      // The owner unregistered it meanwhile and waits for our last unmap: SCIF_MUNMAP, p0 the
      // owner's token, p1 the window id.
      const peer = this.#link.peer();
      if (peer) {
        this.#link.node.tryPost(SCIF_MUNMAP, this.#link.localId, peer.id, BigInt(peer.token), BigInt(w.id));
      }
    }
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

  /** The peer is gone for good (its node was lost): nothing of ours is in its hands. */
  peerGone(): void {
    for (const w of this.#delegated.values()) w.reject(new ScifError("ENODEV", "the peer's node was lost"));
    this.#delegated.clear();
    for (const w of [...this.#local.windows, ...this.#dying.values()]) {
      this.#local.remove(w);
      this.#destroy(w);
    }
    this.#dying.clear();
    for (const w of [...this.#remote.windows]) this.#remote.remove(w);
    this.#maps.clear();
  }
}

/** Answers SCIF_UNREGISTER with SCIF_UNREGISTER_ACK (p0 the owner's token, p1 the window id)
 * once the transfers our node has queued, which may still reach the window, are done. */
export function unregisterAck(node: EmuNode, m: Message): void {
  node.afterDma(() => node.tryPost(SCIF_UNREGISTER_ACK, m.dst, m.src, m.p[2], m.p[1]));
}

/** One copy between our memory (`local`: an address, or an offset in a v* array) and the peer's. */
interface Segment {
  readonly local: number;
  readonly remote: number;
  readonly length: number;
}

/** Cuts two coverings of the same number of bytes into segments that each lie in one piece of both. */
function zip(local: { addr: number; length: number }[], remote: Piece<Window>[]): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  let j = 0;
  let li = 0;
  let rj = 0;
  let done = 0;
  while (i < local.length && j < remote.length) {
    const n = Math.min(local[i].length - li, remote[j].length - rj);
    const l = local[i].addr < 0 ? done : local[i].addr + li;
    out.push({ local: l, remote: remote[j].addr + rj, length: n });
    done += n;
    li += n;
    rj += n;
    if (li === local[i].length) [i, li] = [i + 1, 0];
    if (rj === remote[j].length) [j, rj] = [j + 1, 0];
  }
  return out;
}

/** Cuts segments after `n` bytes: [the first n bytes, the rest]. */
function cut(segments: Segment[], n: number): [Segment[], Segment[]] {
  const front: Segment[] = [];
  const back: Segment[] = [];
  let done = 0;
  for (const s of segments) {
    if (done >= n) back.push(s);
    else if (done + s.length <= n) front.push(s);
    else {
      const k = n - done;
      front.push({ local: s.local, remote: s.remote, length: k });
      back.push({ local: s.local + k, remote: s.remote + k, length: s.length - k });
    }
    done += s.length;
  }
  return [front, back];
}

/** Copies `length` bytes of a private array into shared memory at `dst` (see orderedCopy). */
function orderedCopyFrom(
  u8: Uint8Array,
  from: Uint8Array,
  dst: number,
  at: number,
  length: number,
  ordered: boolean,
): void {
  if (!ordered) {
    u8.set(from.subarray(at, at + length), dst);
    return;
  }
  const last = Math.max(dst, (dst + length - 1) & ~63);
  u8.set(from.subarray(at, at + (last - dst)), dst);
  for (let a = last; a < dst + length; a++) Atomics.store(u8, a, from[at + (a - dst)]);
}
