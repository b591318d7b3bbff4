/**
 * `Endpoint`: a SCIF endpoint (scif_epd_t). Validates arguments the way the kernel does
 * and hands the call to the node's backend.
 *
 * @example
 * ```ts
 * import { openNode } from "./mod.ts";
 * const node = await openNode({ backend: "emu" });
 * const ep = node.open();
 * console.log(ep.bind(0) >= 1088); // true
 * ep.close();
 * await node.close();
 * ```
 *
 * @module
 */

import type { EndpointBackend } from "./_backend.ts";
import { ScifError } from "./errors.ts";
import type { Offset, PortId } from "./types.ts";
import { SCIF_PAGE_SIZE, SCIF_PROT_READ, SCIF_PROT_WRITE } from "./constants.ts";
import { optionSignal, raceAbort } from "./_abort.ts";
import { readableOf, writableOf } from "./_streams.ts";
import { blockOf, bytesOf, integerOf, nodeIdOf, pageAligned, portOf, rejected, u64Of } from "./_validate.ts";
import {
  endsPastLongMax,
  mmapOverflows,
  type Off,
  offAligned,
  offBig,
  offsetOf,
  offText,
} from "./_offset.ts";

/** What stops a call that waits. @example `await ep.connect(dst, { signal: AbortSignal.timeout(1000) })` */
export interface SignalOptions {
  /** Aborting it ends the wait with EINTR, as a signal ends a call blocked in the kernel (a
   * send or recv that moved bytes resolves with their count instead; nothing is lost). */
  signal?: AbortSignal;
}

/** Options of send and recv. @example `await ep.send(bytes, { block: false })` */
export interface TransferOptions extends SignalOptions {
  /** true (default): SCIF_SEND_BLOCK / SCIF_RECV_BLOCK, move every byte. false: move what can move now. */
  block?: boolean;
}

/** Options of accept. @example `await listener.accept({ block: false })` */
export interface AcceptOptions extends SignalOptions {
  /** true (default): SCIF_ACCEPT_SYNC, wait for a request. false: EAGAIN when none is pending. */
  block?: boolean;
}

/** The result of accept: the connected endpoint and its peer's port id. @example `const { endpoint, peer } = await l.accept();` */
export interface Accepted {
  /** The new endpoint, connected, bound to the listener's port. */
  endpoint: Endpoint;
  /** The requesting endpoint's port id. */
  peer: PortId;
}

/**
 * Options of {@linkcode Endpoint.register}.
 *
 * @example
 * ```ts
 * import { SCIF_PROT_READ, type RegisterOptions } from "./mod.ts";
 * const o: RegisterOptions = { offset: 0x10000, fixed: true, prot: SCIF_PROT_READ };
 * const near63: RegisterOptions = { offset: 0x7fff_ffff_fff0_0000n, fixed: true }; // register returns a bigint
 * const kernelChosen: RegisterOptions = { bigint: true }; // the kernel's offset, exactly
 * ```
 */
export interface RegisterOptions {
  /** With `fixed`: the offset of the window, a number or a bigint: page aligned, not negative,
   * and the window must end by 2^63 - 1 (the kernel's LONG_MAX), else EINVAL. Without `fixed`
   * it is not used (the kernel ignores it too). */
  offset?: Offset;
  /** What the peer may do: SCIF_PROT_READ | SCIF_PROT_WRITE (the default). */
  prot?: number;
  /** SCIF_MAP_FIXED: the window goes exactly at `offset` (EADDRINUSE if that overlaps one). */
  fixed?: boolean;
  /** Return the window's offset as a bigint. The default is whether `offset` is a bigint. When
   * the offset is returned as a number and the backend chose one that no number holds exactly
   * (the kernel chooses offsets near 2^63), register undoes the registration and fails with
   * EOVERFLOW, as the kernel does when a result does not fit the caller's type: pass
   * `bigint: true` to take such offsets. */
  bigint?: boolean;
}

/**
 * An RMA's wait (for queue room, or SYNC's for completion) under `signal`: an abort ends the
 * wait with EINTR; the transfer is not undone (a DMA engine cannot take back what it was
 * given), so its bytes may still land: order with a fence before reusing the memory.
 */
function waited(p: Promise<void>, signal: AbortSignal | undefined, what: string): Promise<void> {
  if (signal) p.catch(() => {}); // a failure after an abort has nobody to tell
  return raceAbort(p, signal, what);
}

/**
 * A SCIF endpoint. Get one from `ScifNode.open()` or from `accept()`.
 *
 * @example
 * ```ts
 * import { openNode } from "./mod.ts";
 * const node = await openNode({ backend: "emu" });
 * using listener = node.open();
 * listener.bind(3000);
 * listener.listen(8);
 * using client = node.open();
 * const [{ endpoint }] = await Promise.all([listener.accept(), client.connect({ node: node.nodeId, port: 3000 })]);
 * await client.send(new Uint8Array([1, 2, 3]));
 * const got = new Uint8Array(3);
 * await endpoint.recv(got);
 * endpoint.close();
 * await node.close();
 * ```
 */
export class Endpoint {
  readonly #be: EndpointBackend;

  /** @internal Made by ScifNode.open() and accept(). */
  constructor(backend: EndpointBackend) {
    this.#be = backend;
  }

  #readable: ReadableStream<Uint8Array<ArrayBuffer>> | null = null;
  #writable: WritableStream<Uint8Array> | null = null;

  /**
   * The bytes the peer sends, as a byte stream (BYOB readers take them straight into their
   * buffer). Bytes not read stay in the ring, holding the peer's sends back; the peer's close
   * ends the stream cleanly once every byte it sent was read; cancel leaves the endpoint open,
   * its unread bytes in place, and the next `readable` is a new stream that reads on.
   *
   * @example
   * ```ts ignore
   * for await (const text of ep.readable.pipeThrough(new TextDecoderStream())) console.log(text);
   * ```
   */
  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    // A cancelled one (a `for await` that broke off) is replaced: the endpoint reads on.
    if (!this.#readable || this.#readableDone) {
      this.#readableDone = false;
      this.#readable = readableOf(this, () => (this.#readableDone = true));
    }
    return this.#readable;
  }

  #readableDone = false;

  /**
   * A stream whose chunks are sent to the peer: a write resolves once its bytes are in the
   * peer's ring, so `writer.ready` follows the ring's space. Closing it closes the endpoint
   * once every byte is sent (SCIF has no half-close: pipeTo's `preventClose` keeps it open).
   *
   * @example
   * ```ts ignore
   * await ReadableStream.from(["hello"]).pipeThrough(new TextEncoderStream()).pipeTo(ep.writable);
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= writableOf(this);
  }

  /** @internal The backend endpoint (for ScifNode.poll). */
  get backend(): EndpointBackend {
    return this.#be;
  }

  /** This endpoint's port id once bound, else null. */
  get localId(): PortId | null {
    const id = this.#be.localId;
    return id ? { ...id } : null;
  }

  /** The peer's port id once connected, else null. */
  get peerId(): PortId | null {
    const id = this.#be.peerId;
    return id ? { ...id } : null;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#be.closed;
  }

  #open(): EndpointBackend {
    if (this.#be.closed) throw new ScifError("EBADF", "the endpoint is closed");
    return this.#be;
  }

  /** scif_bind: binds to `port`, or (0, the default) to a free port >= SCIF_PORT_RSVD. Returns the port. */
  bind(port = 0): number {
    const be = this.#open();
    return be.bind(portOf(port, "port"));
  }

  /** scif_listen: marks the endpoint as accepting up to `backlog` pending requests. */
  listen(backlog: number): void {
    const be = this.#open();
    // An int, as in C; the kernel takes any (a negative one admits no request).
    if (
      typeof backlog !== "number" || !Number.isInteger(backlog) || backlog < -(2 ** 31) || backlog >= 2 ** 31
    ) {
      throw new ScifError("EINVAL", `backlog must be an integer (a C int), got ${String(backlog)}`);
    }
    be.listen(backlog);
  }

  /**
   * scif_connect: connects to `dst` (binding first if unbound). Resolves to this endpoint's port
   * id. An abort of `options.signal` ends the wait with EINTR and, as POSIX's connect after
   * EINTR, the request goes on: the endpoint connects later (poll shows POLLOUT) or the request
   * fails; a second connect meanwhile is EISCONN.
   */
  connect(dst: PortId, options?: SignalOptions): Promise<PortId> {
    return rejected(() => {
      const be = this.#open();
      if (typeof dst !== "object" || dst === null) throw new ScifError("EINVAL", "dst must be a port id");
      // A node id that is no integer is a bad argument; an integer that names no node is the
      // backend's ENODEV (the kernel's answer to any u16 above its nodes).
      const node = nodeIdOf(dst.node, "dst.node");
      const port = portOf(dst.port, "dst.port");
      const signal = optionSignal(options, "connect");
      const connecting = be.connect({ node, port }, signal).then((id) => ({ ...id }));
      if (signal) connecting.catch(() => {}); // a failure after an abort has nobody to tell
      return raceAbort(connecting, signal, "connect");
    });
  }

  /** scif_accept: takes the next connection request (waiting for one unless `block: false`;
   * an abort of `options.signal` ends the wait with EINTR, and requests stay queued). */
  accept(options?: AcceptOptions): Promise<Accepted> {
    return rejected(async () => {
      const be = this.#open();
      const block = blockOf(options);
      const ep = await be.accept(block, optionSignal(options, "accept"));
      return { endpoint: new Endpoint(ep), peer: { ...ep.peerId! } };
    });
  }

  /** scif_send: sends `data`; blocking (default) moves every byte, non-blocking what fits now. Resolves to the count. */
  send(data: Uint8Array, options?: TransferOptions): Promise<number> {
    try {
      const be = this.#open();
      return be.send(bytesOf(data, "data"), blockOf(options), optionSignal(options, "send"));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** scif_recv: receives into `into`; blocking (default) fills it, non-blocking takes what is there. Resolves to the count. */
  recv(into: Uint8Array, options?: TransferOptions): Promise<number> {
    try {
      const be = this.#open();
      const buf = bytesOf(into, "into");
      const block = blockOf(options);
      const signal = optionSignal(options, "recv");
      const k = this.#takeUnread(buf);
      if (k === 0) return be.recv(buf, block, signal);
      if (k === buf.length || !block) return Promise.resolve(k);
      // The rest from the ring; what came before counts whatever happens then (the kernel's rule).
      return be.recv(buf.subarray(k), block, signal).then((n) => k + n, () => k);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // Bytes a cancelled readable had taken from the ring but could not hand over (a read that
  // completed as the cancel came): the next recv or recvSome takes them first.
  #unread: Uint8Array | null = null;

  /** @internal For the readable stream: bytes taken that belong before the ring's. */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (!this.#unread) this.#unread = bytes.slice();
    else {
      const all = new Uint8Array(bytes.length + this.#unread.length);
      all.set(bytes);
      all.set(this.#unread, bytes.length);
      this.#unread = all;
    }
  }

  #takeUnread(into: Uint8Array): number {
    const u = this.#unread;
    if (!u) return 0;
    const k = Math.min(u.length, into.length);
    into.set(u.subarray(0, k));
    this.#unread = k === u.length ? null : u.subarray(k);
    return k;
  }

  /**
   * Receives what has arrived, at least one byte, up to `into.length` — a socket read's
   * habit, where SCIF's blocking recv waits until `into` is full. Resolves to the count; 0 at
   * the end of the stream (the peer closed and every byte it sent was taken: where recv
   * reports ECONNRESET). ENOTCONN on an endpoint that is not connected.
   *
   * @example
   * ```ts ignore
   * const buf = new Uint8Array(64 * 1024);
   * for (let n; (n = await ep.recvSome(buf)) > 0;) console.log(n, "bytes");
   * ```
   */
  recvSome(into: Uint8Array, options?: SignalOptions): Promise<number> {
    try {
      const be = this.#open();
      const buf = bytesOf(into, "into");
      const signal = optionSignal(options, "recv");
      const k = this.#takeUnread(buf);
      if (k > 0) return Promise.resolve(k);
      return be.recvSome(buf, signal);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * scif_register: makes `memory` a window of this endpoint's registered address space, which
   * the peer can then reach by RMA and mmap with the protection `prot` (default READ|WRITE).
   * `memory` must come from `ScifNode.allocate` (or be a page-aligned part of it). The offset is
   * chosen by the backend, or is `offset` exactly with `fixed: true` (SCIF_MAP_FIXED).
   *
   * Returns the window's offset, exactly: a number, or a bigint with `bigint: true` (or a bigint
   * `offset`). The hardware backend's offsets are the kernel's, near 2^63, beyond the numbers
   * that are exact: asked for a number then, register unregisters the window again and fails
   * with EOVERFLOW (nothing stays registered that the caller has no name for). The emulated
   * network chooses offsets below 2^53, and takes a fixed offset anywhere the kernel does.
   *
   * @example
   * ```ts ignore
   * const mem = node.allocate(1 << 20);
   * const offset = ep.register(mem, { bigint: true }); // on hardware e.g. 0x7fffffffffeff000n
   * await peer.vreadFrom(new Uint8Array(8), offset + 4096n); // (the peer's call) byte offsets too
   * ```
   */
  register(memory: Uint8Array, options: RegisterOptions & { bigint: true }): bigint;
  /** As above, the offset as a number (EOVERFLOW when it is not a safe integer). */
  register(memory: Uint8Array, options: RegisterOptions & { bigint: false }): number;
  /** As above: a bigint `offset` gives a bigint. */
  register(memory: Uint8Array, options: RegisterOptions & { bigint?: undefined; offset: bigint }): bigint;
  /** As above: without `bigint` or a bigint `offset`, a number (EOVERFLOW when it is not a safe integer). */
  register(memory: Uint8Array, options?: RegisterOptions & { bigint?: undefined; offset?: number }): number;
  /** As above, with options whose type does not say which. */
  register(memory: Uint8Array, options?: RegisterOptions): Offset;
  register(memory: Uint8Array, options: RegisterOptions = {}): Offset {
    const be = this.#open();
    if (typeof options !== "object" || options === null) {
      throw new ScifError("EINVAL", "options must be an object");
    }
    const { offset, prot = SCIF_PROT_READ | SCIF_PROT_WRITE, fixed = false, bigint } = options;
    if (typeof fixed !== "boolean") throw new ScifError("EINVAL", "fixed must be a boolean (SCIF_MAP_FIXED)");
    if (bigint !== undefined && typeof bigint !== "boolean") {
      throw new ScifError("EINVAL", `bigint must be a boolean, got ${String(bigint)}`);
    }
    // The kernel's order (scif_register): map flags, a fixed offset, prot, then the memory's
    // alignment; a fixed offset that is unaligned, negative, or whose window would end past
    // LONG_MAX is EINVAL.
    let at: Off | undefined;
    if (fixed) {
      at = offsetOf(offset, "offset");
      if (!offAligned(at, SCIF_PAGE_SIZE)) {
        throw new ScifError("EINVAL", `offset ${offText(at)} is not page aligned (${SCIF_PAGE_SIZE})`);
      }
      if (at < 0) throw new ScifError("EINVAL", `offset ${offText(at)} is negative`);
    }
    if (integerOf(prot, "prot") & ~(SCIF_PROT_READ | SCIF_PROT_WRITE)) {
      throw new ScifError("EINVAL", `prot has bits other than SCIF_PROT_READ | SCIF_PROT_WRITE: ${prot}`);
    }
    bytesOf(memory, "memory");
    if (memory.byteLength === 0) throw new ScifError("EINVAL", "the memory is empty");
    pageAligned(memory.byteLength, "the memory's length"); // its address: the backend knows it
    if (at !== undefined && endsPastLongMax(at, memory.byteLength)) {
      throw new ScifError(
        "EINVAL",
        `a window at ${offText(at)} of ${memory.byteLength} bytes would end past 2^63 - 1`,
      );
    }
    const got = be.register(memory, at, prot, fixed);
    if (bigint ?? typeof offset === "bigint") return offBig(got);
    if (typeof got === "number") return got;
    // The backend chose an offset that no number holds exactly, and the caller takes a number:
    // the nearest one would name another offset. Nothing may stay registered that the caller
    // cannot name, so the window goes again before the error.
    let undone = "";
    try {
      be.unregister(got, memory.byteLength);
    } catch (e) {
      undone = ` (unregistering it again failed, ${
        (e as Error).message
      }: it stays until the endpoint closes)`;
    }
    throw new ScifError(
      "EOVERFLOW",
      `the window's offset ${offText(got)} is beyond 2^53 and no number holds it exactly: register with ` +
        `{ bigint: true } to receive it as a bigint${undone}`,
    );
  }

  /**
   * scif_unregister: removes the whole windows that make up [offset, offset + length). Mappings
   * the peer holds of them stay valid until it unmaps them. `offset` is a number or a bigint.
   *
   * @example
   * ```ts ignore
   * ep.unregister(offset, mem.length);
   * ```
   */
  unregister(offset: Offset, length: number): void {
    const be = this.#open();
    if (pageAligned(integerOf(length, "length", 0), "length") === 0) {
      throw new ScifError("EINVAL", "the length is 0");
    }
    // The kernel's checks (scif_unregister): aligned, not negative, and offset + length must not
    // pass LONG_MAX; all EINVAL.
    const at = offsetOf(offset, "offset");
    if (!offAligned(at, SCIF_PAGE_SIZE)) {
      throw new ScifError("EINVAL", `offset ${offText(at)} is not page aligned (${SCIF_PAGE_SIZE})`);
    }
    if (at < 0 || endsPastLongMax(at, length)) {
      throw new ScifError("EINVAL", `[${offText(at)}, +${length}) is outside [0, 2^63 - 1]`);
    }
    be.unregister(at, length);
  }

  /**
   * scif_readfrom: copies `length` bytes of the peer's registered space at `remoteOffset` into
   * ours at `localOffset`. Without SCIF_RMA_SYNC the node's DMA engine does it and the call may
   * resolve first (order it with fences); SCIF_RMA_USECPU copies in this thread. An abort of
   * `options.signal` ends the call's wait with EINTR; the transfer is not undone (its bytes may
   * still land: order with a fence before reusing the memory). Offsets are
   * numbers or bigints, any byte of a window (`offset + 100n` inside one near 2^63); a range
   * that is not all in windows, a negative offset included, is ENXIO.
   *
   * @example
   * ```ts ignore
   * await ep.readFrom(localOffset, 4096, remoteOffset, SCIF_RMA_SYNC);
   * ```
   */
  readFrom(
    localOffset: Offset,
    length: number,
    remoteOffset: Offset,
    flags = 0,
    options?: SignalOptions,
  ): Promise<void> {
    return rejected(() => {
      const be = this.#open();
      const args = this.#copyArgs(localOffset, length, remoteOffset, flags);
      const signal = optionSignal(options, "readFrom");
      return waited(be.readFrom(...args), signal, "readFrom");
    });
  }

  /**
   * scif_writeto: copies `length` bytes of our registered space at `localOffset` into the
   * peer's at `remoteOffset` (see readFrom for the flags).
   *
   * @example
   * ```ts ignore
   * await ep.writeTo(localOffset, 1 << 20, remoteOffset, SCIF_RMA_SYNC);
   * ```
   */
  writeTo(
    localOffset: Offset,
    length: number,
    remoteOffset: Offset,
    flags = 0,
    options?: SignalOptions,
  ): Promise<void> {
    return rejected(() => {
      const be = this.#open();
      const args = this.#copyArgs(localOffset, length, remoteOffset, flags);
      const signal = optionSignal(options, "writeTo");
      return waited(be.writeTo(...args), signal, "writeTo");
    });
  }

  /** The checks of an RMA's arguments that are not the kernel's: what C cannot pass. Negative
   * offsets and ranges past the end go on to the backend, whose window walk answers ENXIO. */
  #copyArgs(
    localOffset: Offset,
    length: number,
    remoteOffset: Offset,
    flags: number,
  ): [Off, number, Off, number] {
    return [
      offsetOf(localOffset, "localOffset"),
      integerOf(length, "length", 0),
      offsetOf(remoteOffset, "remoteOffset"),
      integerOf(flags, "flags"),
    ];
  }

  /**
   * scif_vreadfrom: copies `into.length` bytes of the peer's registered space at `remoteOffset`
   * into `into`, any Uint8Array.
   *
   * @example
   * ```ts ignore
   * const buf = new Uint8Array(100);
   * await ep.vreadFrom(buf, remoteOffset, SCIF_RMA_SYNC);
   * ```
   */
  vreadFrom(into: Uint8Array, remoteOffset: Offset, flags = 0, options?: SignalOptions): Promise<void> {
    return rejected(() => {
      const be = this.#open();
      const bytes = bytesOf(into, "into");
      const remote = offsetOf(remoteOffset, "remoteOffset");
      const f = integerOf(flags, "flags");
      const signal = optionSignal(options, "vreadFrom");
      return waited(be.vreadFrom(bytes, remote, f), signal, "vreadFrom");
    });
  }

  /**
   * scif_vwriteto: copies `from`, any Uint8Array, into the peer's registered space at
   * `remoteOffset`.
   *
   * @example
   * ```ts ignore
   * await ep.vwriteTo(new TextEncoder().encode("hi"), remoteOffset);
   * ```
   */
  vwriteTo(from: Uint8Array, remoteOffset: Offset, flags = 0, options?: SignalOptions): Promise<void> {
    return rejected(() => {
      const be = this.#open();
      const bytes = bytesOf(from, "from");
      const remote = offsetOf(remoteOffset, "remoteOffset");
      const f = integerOf(flags, "flags");
      const signal = optionSignal(options, "vwriteTo");
      return waited(be.vwriteTo(bytes, remote, f), signal, "vwriteTo");
    });
  }

  /**
   * scif_fence_mark: a mark for every RMA initiated so far by this endpoint's node
   * (SCIF_FENCE_INIT_SELF) or by the peer's (SCIF_FENCE_INIT_PEER); wait on it with fenceWait.
   *
   * @example
   * ```ts ignore
   * const mark = await ep.fenceMark(SCIF_FENCE_INIT_SELF);
   * await ep.fenceWait(mark);
   * ```
   */
  fenceMark(flags: number): Promise<number> {
    return rejected(() => this.#open().fenceMark(integerOf(flags, "flags")));
  }

  /**
   * scif_fence_wait: resolves once the RMAs a mark stands for are complete.
   *
   * @example
   * ```ts ignore
   * await ep.fenceWait(await ep.fenceMark(SCIF_FENCE_INIT_SELF));
   * ```
   */
  fenceWait(mark: number, options?: SignalOptions): Promise<void> {
    return rejected(() => {
      const m = integerOf(mark, "mark", 0);
      if (m >= 2 ** 32) throw new ScifError("EINVAL", `not a fence mark: ${mark}`);
      const be = this.#open();
      return be.fenceWait(m, optionSignal(options, "fenceWait"));
    });
  }

  /**
   * scif_fence_signal: once the RMAs chosen by SCIF_FENCE_INIT_SELF or SCIF_FENCE_INIT_PEER are
   * complete, writes the u64 `localValue` at `localOffset` of our registered space
   * (SCIF_SIGNAL_LOCAL) and/or `remoteValue` at `remoteOffset` of the peer's
   * (SCIF_SIGNAL_REMOTE). Resolves once the writes are queued.
   *
   * @example
   * ```ts ignore
   * await ep.fenceSignal(0, 0n, flagOffset, 1n, SCIF_FENCE_INIT_SELF | SCIF_SIGNAL_REMOTE);
   * ```
   */
  fenceSignal(
    localOffset: Offset,
    localValue: bigint,
    remoteOffset: Offset,
    remoteValue: bigint,
    flags: number,
  ): Promise<void> {
    return rejected(() =>
      this.#open().fenceSignal(
        offsetOf(localOffset, "localOffset"),
        u64Of(localValue, "localValue"),
        offsetOf(remoteOffset, "remoteOffset"),
        u64Of(remoteValue, "remoteValue"),
        integerOf(flags, "flags"),
      )
    );
  }

  /**
   * mmap of the peer's window: a live view of `length` bytes of the peer's registered space at
   * `remoteOffset` (page aligned; a number or a bigint). Stores through it are the peer's
   * memory, with no call; `prot` (SCIF_PROT_READ | SCIF_PROT_WRITE) must be allowed by the
   * window. The view stays valid until munmap, even after the peer unregisters or closes. A range
   * that runs past 2^64 (as mmap(2)'s unsigned file offset) is EOVERFLOW; one not in the peer's
   * windows, a negative offset included, ENXIO.
   *
   * @example
   * ```ts ignore
   * const view = ep.mmap(remoteOffset, 4096, SCIF_PROT_READ | SCIF_PROT_WRITE);
   * Atomics.store(new Int32Array(view.buffer, view.byteOffset, 1), 0, 42);
   * ep.munmap(view);
   * ```
   */
  mmap(remoteOffset: Offset, length: number, prot: number): Uint8Array {
    const be = this.#open();
    const at = offsetOf(remoteOffset, "remoteOffset");
    if (!offAligned(at, SCIF_PAGE_SIZE)) {
      throw new ScifError("EINVAL", `remoteOffset ${offText(at)} is not page aligned (${SCIF_PAGE_SIZE})`);
    }
    if (integerOf(length, "length", 0) === 0) throw new ScifError("EINVAL", "the length is 0");
    if (integerOf(prot, "prot") & ~(SCIF_PROT_READ | SCIF_PROT_WRITE)) {
      throw new ScifError("EINVAL", `bad prot ${prot}`);
    }
    // mmap(2)'s own check, before the driver sees the call: the file offset is unsigned there,
    // and a range that runs past 2^64 is EOVERFLOW (mm/mmap.c). A negative offset that passes
    // it is the driver's ENXIO (no window is there), after its connection check.
    if (mmapOverflows(at, length)) {
      throw new ScifError("EOVERFLOW", `[${offText(at)}, +${length}) runs past 2^64 as mmap's file offset`);
    }
    return be.mmap(at, length, prot);
  }

  /**
   * munmap: ends a mapping mmap returned. The view must not be used afterwards.
   *
   * @example
   * ```ts ignore
   * ep.munmap(view);
   * ```
   */
  munmap(view: Uint8Array): void {
    this.#be.munmap(bytesOf(view, "view"));
  }

  /** scif_close: closes the endpoint (a connected peer sees ECONNRESET, pending requests are refused). */
  close(): void {
    this.#open().close();
  }

  /**
   * The connections a listening endpoint accepts, one after another, until it is closed (a
   * blocked accept then ends with EINTR, and the iteration with it); any other failure of
   * accept is thrown.
   *
   * @example
   * ```ts ignore
   * for await (const { endpoint, peer } of listener) {
   *   console.log("connection from", peer);
   *   endpoint.close();
   * }
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Accepted, void, undefined> {
    for (;;) {
      let next: Accepted;
      try {
        next = await this.accept();
      } catch (e) {
        if (e instanceof ScifError && (e.code === "EINTR" || e.code === "EBADF")) return;
        throw e;
      }
      yield next;
    }
  }

  /** Closes the endpoint unless it is closed already. */
  [Symbol.dispose](): void {
    if (!this.#be.closed) this.#be.close();
  }
}
