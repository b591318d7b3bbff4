/**
 * `Endpoint`: a SCIF endpoint (scif_epd_t). Validates arguments the way the kernel does
 * and hands the call to the node's backend (the calls of the registered address space check
 * theirs in _endpoint_rma.ts; the option objects are _endpoint_options.ts').
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
import type { AcceptOptions, RegisterOptions, SignalOptions, TransferOptions } from "./_endpoint_options.ts";
import { ScifError } from "./errors.ts";
import type { Offset, PortId } from "./types.ts";
import { optionSignal } from "./_abort.ts";
import { readableOf, UnreadBytes, writableOf } from "./_streams.ts";
import { blockOf, bytesOf, integerOf, portOf, rejected } from "./_validate.ts";
import { connectTo, listenOn, recvOn, recvSomeOn, sendOn } from "./_endpoint_conn.ts";
import {
  copyBuffer,
  copyWindows,
  fenceSignal,
  mapWindow,
  registerWindow,
  unregisterWindows,
} from "./_endpoint_rma.ts";

export type { AcceptOptions, RegisterOptions, SignalOptions, TransferOptions };

/** The result of accept: the connected endpoint and its peer's port id. @example `const { endpoint, peer } = await l.accept();` */
export interface Accepted {
  /** The new endpoint, connected, bound to the listener's port. */
  endpoint: Endpoint;
  /** The requesting endpoint's port id. */
  peer: PortId;
}

// Set by Endpoint's static block: the one reader of an endpoint's private backend.
let backendOfEndpoint: (ep: Endpoint) => EndpointBackend;

/** @internal The backend endpoint behind `ep` (ScifNode.poll, the library's tests and
 * benchmarks; not exported by mod.ts). `ScifNode.backend` is the backend's kind, a string. */
export function endpointBackendOf(ep: Endpoint): EndpointBackend {
  return backendOfEndpoint(ep);
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

  static {
    backendOfEndpoint = (ep) => ep.#be;
  }

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
   * ```ts
   * import type { Endpoint } from "./mod.ts";
   * declare const ep: Endpoint;
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
   * ```ts
   * import type { Endpoint } from "./mod.ts";
   * declare const ep: Endpoint;
   * await ReadableStream.from(["hello"]).pipeThrough(new TextEncoderStream()).pipeTo(ep.writable);
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= writableOf(this);
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

  /**
   * scif_bind: binds to `port`, or (0, the default) to a free port >= SCIF_PORT_RSVD. Returns the port.
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * await using node = await openNode({ backend: "emu" });
   * const ep = node.open();
   * console.log(ep.bind(), ep.localId); // e.g. 1088 { node: 0, port: 1088 }: a free port
   * ```
   */
  bind(port = 0): number {
    const be = this.#open();
    return be.bind(portOf(port, "port"));
  }

  /**
   * scif_listen: marks the endpoint as accepting up to `backlog` pending requests.
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * await using node = await openNode({ backend: "emu" });
   * const listener = node.open();
   * listener.bind(2000);
   * listener.listen(16); // connects to this port now queue, up to 16, until accepted
   * ```
   */
  listen(backlog: number): void {
    listenOn(this.#open(), backlog);
  }

  /**
   * scif_connect: connects to `dst` (binding first if unbound). Resolves to this endpoint's port
   * id. An abort of `options.signal` ends the wait with EINTR and, as POSIX's connect after
   * EINTR, the request goes on: the endpoint connects later (poll shows POLLOUT) or the request
   * fails; a second connect meanwhile is EISCONN.
   *
   * @example
   * ```ts
   * import type { Endpoint } from "./mod.ts";
   * declare const ep: Endpoint;
   * const self = await ep.connect({ node: 1, port: 2000 }, { signal: AbortSignal.timeout(5000) });
   * console.log(self, ep.peerId); // e.g. { node: 0, port: 1088 } { node: 1, port: 2000 }
   * ```
   */
  connect(dst: PortId, options?: SignalOptions): Promise<PortId> {
    return rejected(() => connectTo(this.#open(), dst, options));
  }

  /**
   * scif_accept: takes the next connection request (waiting for one unless `block: false`;
   * an abort of `options.signal` ends the wait with EINTR, and requests stay queued).
   *
   * @example
   * ```ts
   * import type { Endpoint } from "./mod.ts";
   * declare const listener: Endpoint;
   * const { endpoint, peer } = await listener.accept();
   * console.log("connection from", peer, "on", endpoint.localId);
   * ```
   */
  accept(options?: AcceptOptions): Promise<Accepted> {
    return rejected(async () => {
      const be = this.#open();
      const block = blockOf(options);
      const ep = await be.accept(block, optionSignal(options, "accept"));
      return { endpoint: new Endpoint(ep), peer: { ...ep.peerId! } };
    });
  }

  /**
   * scif_send: sends `data`; blocking (default) moves every byte, non-blocking what fits now. Resolves to the count.
   *
   * @example
   * ```ts
   * import type { Endpoint } from "./mod.ts";
   * declare const ep: Endpoint;
   * await ep.send(new TextEncoder().encode("ping")); // 4: every byte, once there is room
   * const now = await ep.send(new Uint8Array(1 << 20), { block: false }); // what fits in the ring
   * ```
   */
  send(data: Uint8Array, options?: TransferOptions): Promise<number> {
    try {
      return sendOn(this.#open(), data, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * scif_recv: receives into `into`; blocking (default) fills it, non-blocking takes what is there. Resolves to the count.
   *
   * @example
   * ```ts
   * import type { Endpoint } from "./mod.ts";
   * declare const ep: Endpoint;
   * const header = new Uint8Array(16);
   * await ep.recv(header); // 16, or ECONNRESET once the peer closed and its bytes are taken
   * const n = await ep.recv(new Uint8Array(4096), { block: false }); // 0 when nothing is there
   * ```
   */
  recv(into: Uint8Array, options?: TransferOptions): Promise<number> {
    try {
      return recvOn(this.#open(), this.#unread, into, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  readonly #unread = new UnreadBytes();

  /** @internal For the readable stream: bytes taken that belong before the ring's. */
  unread(bytes: Uint8Array): void {
    this.#unread.put(bytes);
  }

  /**
   * Receives what has arrived, at least one byte, up to `into.length` — a socket read's
   * habit, where SCIF's blocking recv waits until `into` is full. Resolves to the count; 0 at
   * the end of the stream (the peer closed and every byte it sent was taken: where recv
   * reports ECONNRESET). ENOTCONN on an endpoint that is not connected.
   *
   * @example
   * ```ts
   * import type { Endpoint } from "./mod.ts";
   * declare const ep: Endpoint;
   * const buf = new Uint8Array(64 * 1024);
   * for (let n; (n = await ep.recvSome(buf)) > 0;) console.log(n, "bytes");
   * ```
   */
  recvSome(into: Uint8Array, options?: SignalOptions): Promise<number> {
    try {
      return recvSomeOn(this.#open(), this.#unread, into, options);
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
   * ```ts
   * import type { Endpoint, ScifNode } from "./mod.ts";
   * declare const node: ScifNode, ep: Endpoint, peer: Endpoint;
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
    return registerWindow(this.#open(), memory, options);
  }

  /**
   * scif_unregister: removes the whole windows that make up [offset, offset + length). Mappings
   * the peer holds of them stay valid until it unmaps them. `offset` is a number or a bigint.
   *
   * @example
   * ```ts
   * import type { Endpoint, ScifNode } from "./mod.ts";
   * declare const node: ScifNode, ep: Endpoint;
   * const mem = node.allocate(4096);
   * ep.unregister(ep.register(mem, { bigint: true }), mem.length);
   * ```
   */
  unregister(offset: Offset, length: number): void {
    unregisterWindows(this.#open(), offset, length);
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
   * ```ts
   * import { type Endpoint, SCIF_RMA_SYNC } from "./mod.ts";
   * declare const ep: Endpoint, localOffset: bigint, remoteOffset: bigint;
   * await ep.readFrom(localOffset, 4096, remoteOffset, SCIF_RMA_SYNC); // resolves once copied
   * ```
   */
  readFrom(
    localOffset: Offset,
    length: number,
    remoteOffset: Offset,
    flags = 0,
    options?: SignalOptions,
  ): Promise<void> {
    return rejected(() =>
      copyWindows(this.#open(), "readFrom", localOffset, length, remoteOffset, flags, options)
    );
  }

  /**
   * scif_writeto: copies `length` bytes of our registered space at `localOffset` into the
   * peer's at `remoteOffset` (see readFrom for the flags).
   *
   * @example
   * ```ts
   * import { type Endpoint, SCIF_FENCE_INIT_SELF } from "./mod.ts";
   * declare const ep: Endpoint, localOffset: bigint, remoteOffset: bigint;
   * await ep.writeTo(localOffset, 1 << 20, remoteOffset); // queued to the DMA engine
   * await ep.fenceWait(await ep.fenceMark(SCIF_FENCE_INIT_SELF)); // now it has landed
   * ```
   */
  writeTo(
    localOffset: Offset,
    length: number,
    remoteOffset: Offset,
    flags = 0,
    options?: SignalOptions,
  ): Promise<void> {
    return rejected(() =>
      copyWindows(this.#open(), "writeTo", localOffset, length, remoteOffset, flags, options)
    );
  }

  /**
   * scif_vreadfrom: copies `into.length` bytes of the peer's registered space at `remoteOffset`
   * into `into`, any Uint8Array.
   *
   * @example
   * ```ts
   * import { type Endpoint, SCIF_RMA_SYNC } from "./mod.ts";
   * declare const ep: Endpoint, remoteOffset: bigint;
   * const buf = new Uint8Array(100);
   * await ep.vreadFrom(buf, remoteOffset, SCIF_RMA_SYNC);
   * ```
   */
  vreadFrom(into: Uint8Array, remoteOffset: Offset, flags = 0, options?: SignalOptions): Promise<void> {
    return rejected(() => copyBuffer(this.#open(), "vreadFrom", into, remoteOffset, flags, options));
  }

  /**
   * scif_vwriteto: copies `from`, any Uint8Array, into the peer's registered space at
   * `remoteOffset`.
   *
   * @example
   * ```ts
   * import { type Endpoint, SCIF_RMA_SYNC } from "./mod.ts";
   * declare const ep: Endpoint, remoteOffset: bigint;
   * await ep.vwriteTo(new TextEncoder().encode("hi"), remoteOffset, SCIF_RMA_SYNC);
   * ```
   */
  vwriteTo(from: Uint8Array, remoteOffset: Offset, flags = 0, options?: SignalOptions): Promise<void> {
    return rejected(() => copyBuffer(this.#open(), "vwriteTo", from, remoteOffset, flags, options));
  }

  /**
   * scif_fence_mark: a mark for every RMA initiated so far by this endpoint's node
   * (SCIF_FENCE_INIT_SELF) or by the peer's (SCIF_FENCE_INIT_PEER); wait on it with fenceWait.
   *
   * @example
   * ```ts
   * import { type Endpoint, SCIF_FENCE_INIT_PEER } from "./mod.ts";
   * declare const ep: Endpoint;
   * const mark = await ep.fenceMark(SCIF_FENCE_INIT_PEER); // what the peer has started so far
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
   * ```ts
   * import { type Endpoint, SCIF_FENCE_INIT_SELF } from "./mod.ts";
   * declare const ep: Endpoint;
   * await ep.fenceWait(await ep.fenceMark(SCIF_FENCE_INIT_SELF), { signal: AbortSignal.timeout(1000) });
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
   * ```ts
   * import { type Endpoint, SCIF_FENCE_INIT_SELF, SCIF_SIGNAL_REMOTE } from "./mod.ts";
   * declare const ep: Endpoint, flagOffset: bigint;
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
      fenceSignal(this.#open(), localOffset, localValue, remoteOffset, remoteValue, flags)
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
   * ```ts
   * import { type Endpoint, SCIF_PROT_READ, SCIF_PROT_WRITE } from "./mod.ts";
   * declare const ep: Endpoint, remoteOffset: bigint;
   * const view = ep.mmap(remoteOffset, 4096, SCIF_PROT_READ | SCIF_PROT_WRITE);
   * Atomics.store(new Int32Array(view.buffer, view.byteOffset, 1), 0, 42);
   * ep.munmap(view);
   * ```
   */
  mmap(remoteOffset: Offset, length: number, prot: number): Uint8Array {
    return mapWindow(this.#open(), remoteOffset, length, prot);
  }

  /**
   * munmap: ends a mapping mmap returned. The view must not be used afterwards.
   *
   * @example
   * ```ts
   * import { type Endpoint, SCIF_PROT_READ } from "./mod.ts";
   * declare const ep: Endpoint, remoteOffset: bigint;
   * const view = ep.mmap(remoteOffset, 4096, SCIF_PROT_READ);
   * console.log(view[0]);
   * ep.munmap(view); // view.length is 0 from here on
   * ```
   */
  munmap(view: Uint8Array): void {
    this.#be.munmap(bytesOf(view, "view"));
  }

  /**
   * scif_close: closes the endpoint (a connected peer sees ECONNRESET, pending requests are refused).
   *
   * @example
   * ```ts
   * import type { Endpoint } from "./mod.ts";
   * declare const ep: Endpoint;
   * ep.close();
   * console.log(ep.closed); // true: any further call is EBADF
   * ```
   */
  close(): void {
    this.#open().close();
  }

  /**
   * The connections a listening endpoint accepts, one after another, until it is closed (a
   * blocked accept then ends with EINTR, and the iteration with it); any other failure of
   * accept is thrown.
   *
   * @example
   * ```ts
   * import type { Endpoint } from "./mod.ts";
   * declare const listener: Endpoint;
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

  /**
   * Closes the endpoint unless it is closed already: `using ep = node.open()`.
   *
   * @example
   * ```ts
   * import { openNode } from "./mod.ts";
   * await using node = await openNode({ backend: "emu" });
   * {
   *   using ep = node.open();
   *   ep.bind(0);
   * } // closed here
   * ```
   */
  [Symbol.dispose](): void {
    if (!this.#be.closed) this.#be.close();
  }
}
