// An endpoint of the hardware backend: a file descriptor on /dev/scif, driven with the ioctls
// of scif_ioctl.h. The kernel keeps the endpoint's state and decides every errno; this layer
// encodes arguments, keeps what user space must remember (its port ids; the memory of its
// windows and its mappings are ffi/_windows.ts's), counts what its calls did, and runs calls
// that may wait on a blocking-call Worker (ffi/_waits.ts; sends and receives: ffi/_stream.ts).
//
// A call that may block first runs once without waiting on this thread (a non-blocking send,
// recv or accept, poll with timeout 0): when that is enough, it costs one ioctl; otherwise the
// rest runs, blocking, on a Worker.
//
// An AbortSignal cannot interrupt an ioctl that waits in the kernel (only a signal delivered to
// its thread could), so a call given one waits differently: a non-blocking try on this thread,
// then a poll of the descriptor on a Worker for at most SLICE_MS, again until done or aborted.
// Every byte moves on this thread in a non-blocking call, so an abort between slices loses none.

import { POLLIN, POLLOUT, SCIF_ACCEPT_SYNC, SCIF_RECV_BLOCK, SCIF_SEND_BLOCK } from "../constants.ts";
import { ScifError } from "../errors.ts";
import { abortError, raceAbort } from "../_abort.ts";
import type { EndpointBackend } from "../_backend.ts";
import type { PortId } from "../types.ts";
import type { Off } from "../_offset.ts";
import { IOCTL, Struct } from "./abi.ts";
import type { BlockingPool } from "./_blocking.ts";
import { EndpointWaits } from "./_waits.ts";
import { FfiStream } from "./_stream.ts";
import { cString, type Libc, O_RDWR } from "./_libc.ts";
import { FfiWindows } from "./_windows.ts";
import { countRma, EndpointCounters } from "../_stats.ts";

/** What an endpoint needs of its node (ffi/_node.ts). Declared here, where it is used, so that
 * the node's module imports this one and never the other way round. */
export interface FfiEndpointHost {
  readonly libc: Libc;
  /** The device an accepted endpoint opens a descriptor of. */
  readonly device: string;
  readonly pool: BlockingPool;
  readonly nodeId: number;
  /** Makes (and keeps track of) an endpoint of descriptor `fd`: an accepted one. */
  adopt(fd: number): FfiEndpoint;
  /** Forgets a closed endpoint. */
  forget(ep: FfiEndpoint): void;
}

/** One endpoint on /dev/scif. */
export class FfiEndpoint implements EndpointBackend {
  readonly #node: FfiEndpointHost;
  readonly fd: number;
  #closed = false;
  localId: PortId | null = null;
  peerId: PortId | null = null;
  readonly #windows: FfiWindows;
  readonly #waits: EndpointWaits;
  readonly #stream: FfiStream;
  /** What this endpoint's calls did (ScifNode.stats); only this thread writes it. */
  readonly counters = new EndpointCounters();

  /** The endpoint's state as far as this library knows it (the driver keeps the real one). */
  get state(): string {
    if (this.#closed) return "CLOSED";
    if (this.peerId) return "CONNECTED";
    return this.localId ? "BOUND" : "UNBOUND";
  }

  constructor(node: FfiEndpointHost, fd: number) {
    this.#node = node;
    this.fd = fd;
    this.#windows = new FfiWindows(node.libc, fd);
    this.#waits = new EndpointWaits(node.pool, fd, () => this.#closed);
    this.#stream = new FfiStream(node.libc, fd, this.#waits);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #ioctl(request: number, s: { bytes: Uint8Array }, what: string): number {
    const libc = this.#node.libc;
    return libc.check(libc.fn.ioctl_buf(this.fd, BigInt(request), s.bytes), what);
  }

  // ---- scif_bind, scif_listen, scif_connect, scif_accept ----

  bind(port: number): number {
    const cell = new BigUint64Array([BigInt(port)]); // SCIF_BIND takes a u64 (the kernel uses an int of it)
    this.#ioctl(IOCTL.SCIF_BIND, { bytes: new Uint8Array(cell.buffer) }, "bind");
    const bound = Number(cell[0] & 0xffffn);
    this.localId = { node: this.#node.nodeId, port: bound };
    return bound;
  }

  listen(backlog: number): void {
    const libc = this.#node.libc;
    libc.check(libc.fn.ioctl_val(this.fd, BigInt(IOCTL.SCIF_LISTEN), BigInt(backlog)), "listen");
  }

  async connect(dst: PortId): Promise<PortId> {
    const s = new Struct("scifioctl_connect", true).setPortId("peer", dst);
    await this.#waits.blocking(
      {
        op: "ioctl_buf",
        fd: this.fd,
        request: IOCTL.SCIF_CONNECT,
        struct: s.bytes.buffer as SharedArrayBuffer,
      },
      "connect",
      "EINTR",
    );
    this.localId = s.portId("self");
    this.peerId = { ...dst };
    return this.localId;
  }

  async accept(block: boolean, signal?: AbortSignal): Promise<EndpointBackend> {
    const req = new Struct("scifioctl_accept", true).setS32("flags", 0);
    const libc = this.#node.libc;
    while (signal && block && libc.fn.ioctl_buf(this.fd, BigInt(IOCTL.SCIF_ACCEPTREQ), req.bytes) === -1) {
      const e = libc.error("accept");
      if (e.code !== "EAGAIN") throw e;
      if (signal.aborted) throw abortError(signal, "accept");
      await this.#waits.slice(POLLIN, "EINTR");
    }
    if (!(signal && block) && libc.fn.ioctl_buf(this.fd, BigInt(IOCTL.SCIF_ACCEPTREQ), req.bytes) === -1) {
      const e = libc.error("accept");
      if (e.code !== "EAGAIN" || !block) throw e;
      req.setS32("flags", SCIF_ACCEPT_SYNC);
      await this.#waits.blocking(
        {
          op: "ioctl_buf",
          fd: this.fd,
          request: IOCTL.SCIF_ACCEPTREQ,
          struct: req.bytes.buffer as SharedArrayBuffer,
        },
        "accept",
        "EINTR",
      );
    }
    // The second step: a new descriptor becomes the accepted endpoint (SCIF_ACCEPTREG).
    const fd = libc.check(libc.fn.open(cString(this.#node.device), O_RDWR), "open for accept");
    const handle = new BigUint64Array([req.u64("endpt")]); // SCIF_ACCEPTREG takes the u64 handle
    if (libc.fn.ioctl_buf(fd, BigInt(IOCTL.SCIF_ACCEPTREG), new Uint8Array(handle.buffer)) === -1) {
      const e = libc.error("accept (SCIF_ACCEPTREG)");
      libc.fn.close(fd);
      throw e;
    }
    const ep = this.#node.adopt(fd);
    ep.localId = this.localId ? { ...this.localId } : null;
    ep.peerId = req.portId("peer");
    return ep;
  }

  // ---- scif_send, scif_recv ----

  async send(data: Uint8Array, block: boolean, signal?: AbortSignal): Promise<number> {
    const n = signal && block
      ? await this.#stream.sliced(IOCTL.SCIF_SEND, POLLOUT, data, "send", signal)
      : await this.#stream.transfer(IOCTL.SCIF_SEND, SCIF_SEND_BLOCK, data, block, "send");
    // The driver keeps no counters we can read: count what our calls moved.
    if (n > 0) {
      this.counters.bytesSent += n;
      this.counters.messagesSent++;
    }
    return n;
  }

  async recv(into: Uint8Array, block: boolean, signal?: AbortSignal): Promise<number> {
    const n = signal && block
      ? await this.#stream.sliced(IOCTL.SCIF_RECV, POLLIN, into, "recv", signal)
      : await this.#stream.transfer(IOCTL.SCIF_RECV, SCIF_RECV_BLOCK, into, block, "recv");
    this.#received(n);
    return n;
  }

  #received(n: number): void {
    if (n > 0) {
      this.counters.bytesReceived += n;
      this.counters.messagesReceived++;
    }
  }

  async recvSome(into: Uint8Array, signal?: AbortSignal): Promise<number> {
    const n = await this.#stream.recvSome(into, signal);
    this.#received(n);
    return n;
  }

  // ---- registration, RMA, fences, mmap: the endpoint's windows (ffi/_windows.ts) ----

  register(memory: Uint8Array, offset: Off | undefined, prot: number, fixed: boolean): Off {
    const at = this.#windows.register(memory, offset, prot, fixed);
    this.counters.windowsRegistered++;
    return at;
  }

  unregister(offset: Off, length: number): void {
    this.#windows.unregister(offset, length);
    this.counters.windowsUnregistered++;
  }

  async readFrom(localOffset: Off, length: number, remoteOffset: Off, flags: number): Promise<void> {
    await this.#windows.rma(IOCTL.SCIF_READFROM, localOffset, length, remoteOffset, flags, "readfrom");
    countRma(this.counters, false, length);
  }

  async writeTo(localOffset: Off, length: number, remoteOffset: Off, flags: number): Promise<void> {
    await this.#windows.rma(IOCTL.SCIF_WRITETO, localOffset, length, remoteOffset, flags, "writeto");
    countRma(this.counters, true, length);
  }

  async vreadFrom(into: Uint8Array, remoteOffset: Off, flags: number): Promise<void> {
    const length = into.length;
    await this.#windows.rma(IOCTL.SCIF_VREADFROM, into, length, remoteOffset, flags, "vreadfrom");
    countRma(this.counters, false, length);
  }

  async vwriteTo(from: Uint8Array, remoteOffset: Off, flags: number): Promise<void> {
    const length = from.length;
    await this.#windows.rma(IOCTL.SCIF_VWRITETO, from, length, remoteOffset, flags, "vwriteto");
    countRma(this.counters, true, length);
  }

  async fenceMark(flags: number): Promise<number> {
    const mark = await this.#windows.fenceMark(flags);
    this.counters.fenceMarks++;
    return mark;
  }

  async fenceWait(mark: number, signal?: AbortSignal): Promise<void> {
    // The ioctl takes the mark by value, as an int. It cannot be interrupted (see the module's
    // comment) and has no effect but its wait: an abort stops waiting for it, and the Worker's
    // call ends by itself (when the mark is reached, or at the kernel's timeout).
    await raceAbort(
      this.#waits.blocking({
        op: "ioctl_val",
        fd: this.fd,
        request: IOCTL.SCIF_FENCE_WAIT,
        value: BigInt(mark | 0),
      }, "fence_wait"),
      signal,
      "fenceWait",
    );
    this.counters.fenceWaits++;
  }

  async fenceSignal(
    localOffset: Off,
    localValue: bigint,
    remoteOffset: Off,
    remoteValue: bigint,
    flags: number,
  ): Promise<void> {
    await this.#windows.fenceSignal(localOffset, localValue, remoteOffset, remoteValue, flags);
    this.counters.fenceSignals++;
  }

  mmap(remoteOffset: Off, length: number, prot: number): Uint8Array {
    return this.#windows.mmap(remoteOffset, length, prot);
  }

  munmap(view: Uint8Array): void {
    this.#windows.munmap(view);
  }

  // ---- scif_close ----

  close(): void {
    if (this.#closed) throw new ScifError("EBADF", "the endpoint is closed");
    this.#closed = true;
    this.#waits.cancelAll(); // calls not started yet must not run on a reused number
    this.#node.forget(this);
    this.#node.libc.fn.close(this.fd);
  }
}
